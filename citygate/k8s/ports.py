"""Sets of (protocol, port range): what one endpoint may open to another, exactly, with ranges merged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PROTOCOLS = ("TCP", "UDP", "SCTP")
MIN_PORT, MAX_PORT = 1, 65535

Ranges = tuple[tuple[int, int], ...]


def _merge(ranges: Iterable[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _intersect(a: Ranges, b: Ranges) -> Ranges:
    return _merge((max(lo1, lo2), min(hi1, hi2)) for lo1, hi1 in a for lo2, hi2 in b if max(lo1, lo2) <= min(hi1, hi2))


@dataclass(frozen=True)
class PortSet:
    """Port ranges per protocol; empty means nothing is open."""

    ranges: Mapping[str, Ranges] = field(default_factory=dict)

    @classmethod
    def everything(cls) -> PortSet:
        return cls({p: ((MIN_PORT, MAX_PORT),) for p in PROTOCOLS})

    @classmethod
    def of(cls, protocol: str, lo: int = MIN_PORT, hi: int | None = None) -> PortSet:
        return cls({protocol: ((lo, lo if hi is None else hi),)})

    def __or__(self, other: PortSet) -> PortSet:
        keys = set(self.ranges) | set(other.ranges)
        return PortSet({p: _merge([*self.ranges.get(p, ()), *other.ranges.get(p, ())]) for p in keys})

    def __and__(self, other: PortSet) -> PortSet:
        both = {p: _intersect(self.ranges[p], other.ranges[p]) for p in set(self.ranges) & set(other.ranges)}
        return PortSet({p: r for p, r in both.items() if r})

    def __bool__(self) -> bool:
        return any(self.ranges.values())

    def __contains__(self, item: tuple[str, int]) -> bool:
        protocol, port = item
        return any(lo <= port <= hi for lo, hi in self.ranges.get(protocol, ()))

    def describe(self) -> list[str]:
        """["any"] for every port of every protocol, else ["TCP/443", "TCP/32000-32768", ...]."""
        if self == PortSet.everything():
            return ["any"]
        out: list[str] = []
        for protocol in sorted(self.ranges):
            for lo, hi in self.ranges[protocol]:
                span = "any port" if (lo, hi) == (MIN_PORT, MAX_PORT) else (str(lo) if lo == hi else f"{lo}-{hi}")
                out.append(f"{protocol}/{span}")
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PortSet):
            return NotImplemented
        return {p: r for p, r in self.ranges.items() if r} == {p: r for p, r in other.ranges.items() if r}

    def __hash__(self) -> int:
        return hash(tuple(sorted((p, r) for p, r in self.ranges.items() if r)))


def parse_port(text: str) -> tuple[str, int]:
    """ "TCP/8080" -> ("TCP", 8080)."""
    protocol, _, port = text.partition("/")
    return protocol.upper(), int(port)
