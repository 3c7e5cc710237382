"""Three-valued (Kleene) truth over a caseload: one value per client, numpy only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Tri"]


@dataclass(frozen=True, slots=True, eq=False)
class Tri:
    """A vector of Kleene truth values: true, false or unknown per client.

    ``true[i]`` and ``false[i]`` are never both set; when neither is, the value is unknown.
    ``&``, ``|`` and ``~`` follow Kleene's strong logic. Python's ``and``/``or``/``not``
    would silently ignore the unknowns, so using a ``Tri`` as a bool raises ``TypeError``.

    Attributes
    ----------
    true : ndarray of bool
        Where the value is true.
    false : ndarray of bool
        Where the value is false.

    Examples
    --------
    >>> import numpy as np
    >>> a = Tri.from_mask(np.array([True, True, False]), known=np.array([True, False, True]))
    >>> (a | ~a).labels().tolist()
    ['true', 'unknown', 'true']
    >>> (a & ~a).labels().tolist()
    ['false', 'unknown', 'false']
    """

    true: npt.NDArray[np.bool_]
    false: npt.NDArray[np.bool_]

    def __post_init__(self) -> None:
        for name, array in (("true", self.true), ("false", self.false)):
            if not isinstance(array, np.ndarray) or array.dtype != np.bool_ or array.ndim != 1:
                raise TypeError(f"Tri.{name} must be a 1-d numpy bool array, got {array!r}")
        if self.true.shape != self.false.shape:
            raise ValueError(
                f"Tri.true and Tri.false differ in shape: {self.true.shape} != {self.false.shape}"
            )
        if np.any(self.true & self.false):
            raise ValueError("a Tri value cannot be both true and false")

    @classmethod
    def from_mask(cls, value: npt.NDArray[np.bool_], known: npt.NDArray[np.bool_]) -> Tri:
        """Build from a two-valued result and the mask of where it is known.

        Parameters
        ----------
        value : ndarray of bool
            The result where known (ignored elsewhere).
        known : ndarray of bool
            Where the result is known.

        Returns
        -------
        Tri
            ``value`` where known, unknown elsewhere.
        """
        return cls._valid(known & value, known & ~value)

    @classmethod
    def _valid(cls, true: npt.NDArray[np.bool_], false: npt.NDArray[np.bool_]) -> Tri:
        # For results that are valid by construction (Kleene operations on valid values, a
        # mask split by `known`): the checks of __post_init__ cost more than the operation
        # when one client is evaluated.
        out = object.__new__(cls)
        object.__setattr__(out, "true", true)
        object.__setattr__(out, "false", false)
        return out

    @classmethod
    def unknowns(cls, n: int) -> Tri:
        """Return ``n`` unknown values."""
        return cls(np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_))

    @property
    def unknown(self) -> npt.NDArray[np.bool_]:
        """Where the value is neither true nor false."""
        return ~(self.true | self.false)

    @property
    def known(self) -> npt.NDArray[np.bool_]:
        """Where the value is true or false."""
        return self.true | self.false

    def labels(self) -> npt.NDArray[np.str_]:
        """Spell each value as ``"true"``, ``"false"`` or ``"unknown"``."""
        out = np.full(len(self), "unknown", dtype="<U7")
        out[self.true] = "true"
        out[self.false] = "false"
        return out

    def __len__(self) -> int:
        return len(self.true)

    def __and__(self, other: Tri) -> Tri:
        if not isinstance(other, Tri):
            return NotImplemented
        return Tri._valid(self.true & other.true, self.false | other.false)

    def __or__(self, other: Tri) -> Tri:
        if not isinstance(other, Tri):
            return NotImplemented
        return Tri._valid(self.true | other.true, self.false & other.false)

    def __invert__(self) -> Tri:
        return Tri._valid(self.false, self.true)

    def __bool__(self) -> bool:
        raise TypeError("a Tri has no single truth value; use &, | and ~ instead of and/or/not")

    def __repr__(self) -> str:
        return f"Tri({self.labels().tolist()!r})"
