"""Counting what a widget sends to the browser: :class:`MessageMeter`, for the benchmarks and the tests."""

from __future__ import annotations

import json

__all__ = ["MessageMeter"]


class MessageMeter:
    """Counts what a widget sends over its comm (JSON text + binary buffers), for benchmarks and tests.

    Attributes
    ----------
    bytes, messages : int
        Sent since the last :meth:`reset`.
    touched : set of str
        Names of the traces (of a FigureWidget) whose data or style those messages changed.
    log : list of (dict, list)
        The messages and their buffers, kept only with ``keep=True``.

    Parameters
    ----------
    widget : ipywidgets.Widget
        Typically a ``go.FigureWidget``; its ``_send`` is wrapped (for the widget's lifetime) to count every
        message before sending it on. ``bytes`` counts the message as JSON text (UTF-8) plus its binary buffers.
    keep : bool
        Also keep every message and its buffers in :attr:`log`.
    """

    def __init__(self, widget, keep: bool = False):
        self.bytes = 0
        self.messages = 0
        self.touched: set[str] = set()
        self.log: list[tuple[dict, list]] = []
        self._widget = widget
        self._orig = widget._send

        def counting_send(msg, buffers=None):
            self.messages += 1
            self.bytes += len(json.dumps(msg, default=str).encode())
            self.bytes += sum(len(memoryview(b).cast("B")) for b in (buffers or []))
            data = getattr(widget, "data", ())
            for value in msg.get("state", {}).values():
                if isinstance(value, dict):
                    for key in ("style_traces", "restyle_traces"):
                        self.touched.update(data[i].name for i in (value.get(key) or []) if i < len(data))
            if keep:
                self.log.append((msg, list(buffers or [])))
            return self._orig(msg, buffers=buffers)

        widget._send = counting_send

    def reset(self) -> None:
        """Start counting afresh: zero ``bytes`` and ``messages``, empty ``touched`` and ``log``."""
        self.bytes = 0
        self.messages = 0
        self.touched = set()
        self.log = []
