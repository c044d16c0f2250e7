"""What a FigureWidget sends to the browser, recorded for tests: the messages, their size, which traces an action
touched."""

from __future__ import annotations

from benchmarks.message_meter import MessageMeter


class Recorder:
    """A MessageMeter that keeps every message the figure sends from now on (the messages are still sent)."""

    def __init__(self, widget):
        self.meter = MessageMeter(widget, keep=True)

    @property
    def messages(self) -> list[dict]:
        return [msg for msg, _ in self.meter.log]

    @property
    def bytes(self) -> int:
        return self.meter.bytes

    def reset(self):
        self.meter.reset()

    @property
    def updates(self) -> list[dict]:
        """The plotly ``_py2js_update`` payloads sent."""
        return [m["state"]["_py2js_update"] for m in self.messages
                if m.get("state", {}).get("_py2js_update")]

    def keys_sent(self) -> set[str]:
        """Every dict key anywhere in the messages."""
        found = set()

        def walk(obj):
            if isinstance(obj, dict):
                found.update(obj)
                for v in obj.values():
                    walk(v)
            elif isinstance(obj, (list, tuple)):
                for v in obj:
                    walk(v)

        walk(self.messages)
        return found

    def restyled_traces(self) -> list[int]:
        """Indices of the traces whose data were re-sent."""
        return sorted({i for u in self.updates if u.get("style_data") for i in u["style_traces"]})

    def touched(self) -> set[str]:
        """Names of the traces whose data or style the recorded messages changed."""
        return set(self.meter.touched)

    def resent_figure(self) -> bool:
        """Did any message re-send the whole figure (not just some traces)?"""
        return any("_widget_data" in msg.get("state", {}) for msg in self.messages)
