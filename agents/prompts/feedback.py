"""The one message a specialist's model gets when its answer fails the checks (constants only)."""

CHECK_FEEDBACK = """Your answer was not accepted. These checks failed:
{problems}

Fix exactly these problems (use the tools again if you need to) and call `{answer_tool}` once more. This is the
last chance: an answer that fails again is discarded for the approved deterministic result."""
