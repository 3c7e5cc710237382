"""Learning from histories: who took part in what, what followed, and what that says.

Reserved for effect estimation from a municipality's own records (issue: learn from what
happened). Nothing is public here yet.
"""

__all__: list[str] = []
