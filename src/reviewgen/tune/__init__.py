"""``reviewgen tune``: teach the embedded model the reference's voice with a LoRA adapter.

The base model is read from its GGUF file (``gemma.py``), trained on the reference reviews
under the completion writer's own header (``examples.py``, ``train.py``), and the adapter is
written as a llama.cpp LoRA GGUF (``adapter_file.py``) that ``models.<role>.adapter`` loads.
Needs the ``tune`` extra (torch); nothing here is imported by the generation path.
"""
