"""The interface the command line's writers use to list and render a batch column-wise.

``matchkit recommend`` writes JSON Lines, a JSON array and the text table from pieces that
are rendered once per distinct case (score, reasons, separator, head) and joined a block of
clients at a time; :meth:`BatchResult.iter_clients` lists the same blocks as
:class:`Recommendation` objects. These are the building blocks of that listing, for the
writers in :mod:`matchkit.cli`; they follow the command line, not a stable contract. Use
:meth:`BatchResult.iter_clients`, :meth:`BatchResult.to_frame` or the command line instead.
"""

from matchkit.recommend._recommender import _listing_options as listing_options
from matchkit.recommend._render import (
    assemble,
    case_strings,
    client_ids,
    iter_blocks,
    json_chunks,
    pair_code,
    strings_by_code,
)

__all__ = [
    "assemble",
    "case_strings",
    "client_ids",
    "iter_blocks",
    "json_chunks",
    "listing_options",
    "pair_code",
    "strings_by_code",
]
