"""Thin views, one module per area. They fetch through permissions and act through the
domain modules; an IllegalTransition becomes a message, never a 500."""
