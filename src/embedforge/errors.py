"""The one exception type a user sees.

Every failure the user can fix (a bad path, a corrupt file, a wrong flag, an
unreachable server) is raised as :class:`EmbedforgeError` with a one-line
message that names the thing and says what to do. The CLI prints that line on
stderr and exits with code 2 (:class:`FailedItems`, work done with failures: 1); any
other exception is a bug and shows a traceback only with ``--debug``.
"""

from __future__ import annotations


class EmbedforgeError(Exception):
    """A user-facing error: one line, naming the file or value, saying what to do.

    Example:
        >>> raise EmbedforgeError("corpus/x.pdf: the PDF is encrypted; decrypt it or remove it")
        Traceback (most recent call last):
        ...
        embedforge.errors.EmbedforgeError: corpus/x.pdf: the PDF is encrypted; decrypt it or remove it
    """

    def __init__(self, message: str) -> None:
        # One line, always: newlines from wrapped library errors would break the CLI contract.
        super().__init__(" ".join(str(message).split()))


class FailedItems(EmbedforgeError):
    """Work that ran, but some of its items (documents, LLM calls) failed: the CLI exits 1, not 2.

    The message says how many failed and what to do, e.g. ``"3 of 40 LLM calls failed
    (timeout 3); rerun with --overwrite to retry them"``.
    """
