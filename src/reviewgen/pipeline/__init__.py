"""Assembly: turn a validated config into the stages and run the accept-until-N loop."""
