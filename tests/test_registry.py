import sys
import textwrap

import pytest

from reviewgen.core.errors import ConfigError
from reviewgen.core.registry import Registry


def test_get_unknown_lists_choices():
    registry: Registry[int] = Registry("widget")
    registry.register("a.v1")(1)
    registry.register("b.v1")(2)
    assert registry.get("a.v1") == 1
    with pytest.raises(ConfigError, match=r"x: unknown widget 'c.v1'; valid choices: a.v1, b.v1"):
        registry.get("c.v1", where="x")


def test_double_registration_is_an_error():
    registry: Registry[int] = Registry("widget")
    registry.register("a.v1")(1)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("a.v1")(2)


def test_entry_point_plugin_is_loaded_lazily(tmp_path, monkeypatch):
    """A real installed-distribution layout: dist-info with entry_points.txt on sys.path."""
    package = tmp_path / "my_rules_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent("""
        from reviewgen.critic_rules.base import CriticRule

        class Shouting(CriticRule):
            '''Fails drafts in all caps.'''
            def check(self, draft, context):
                return self.fail("Do not shout.") if draft.isupper() else self.ok()
    """)
    )
    dist = tmp_path / "my_rules_pkg-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-rules-pkg\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[reviewgen.test_rules]\nshouting.v1 = my_rules_pkg:Shouting\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry: Registry[type] = Registry("critic rule", "reviewgen.test_rules")
    assert "my_rules_pkg" not in sys.modules
    assert registry.get("shouting.v1").__name__ == "Shouting"
    assert registry.names() == ["shouting.v1"]


def test_broken_plugin_warns_instead_of_crashing(tmp_path, monkeypatch):
    dist = tmp_path / "broken-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[reviewgen.test_broken]\nbad.v1 = no_such_module:X\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry: Registry[type] = Registry("critic rule", "reviewgen.test_broken")
    with pytest.warns(UserWarning, match="plugin 'bad.v1'"):
        assert registry.names() == []
