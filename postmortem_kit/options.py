"""Option dataclasses that reject unknown keywords with a message listing the valid ones."""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Self

from postmortem_kit.errors import OptionsError


@dataclasses.dataclass(frozen=True)
class Options:
    """Base class for keyword options of public functions.

    Subclasses are frozen dataclasses. Build them with :meth:`from_kwargs`, which turns a
    typo in a notebook into a loud error instead of a silently ignored option.
    """

    @classmethod
    def from_kwargs(cls, caller: str, **kwargs: Any) -> Self:
        """Build the options from keyword arguments, rejecting unknown names.

        Parameters
        ----------
        caller
            Name of the public function, used in the error message.
        **kwargs
            The options.

        Raises
        ------
        OptionsError
            If a keyword is not a field of the dataclass.
        """
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [k for k in kwargs if k not in names]
        if unknown:
            hints = []
            for k in unknown:
                close = difflib.get_close_matches(k, names, n=1)
                hints.append(f"{k!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise OptionsError(
                f"{caller}() got unknown option(s) {', '.join(hints)}; "
                f"valid options: {', '.join(sorted(names))}"
            )
        return cls(**kwargs)
