"""Reads for the 新建方案 page: the document cut into runs, each run knowing which proposals quote it."""


def highlighted_runs(text: str, spans: dict[str, tuple[int, int]]) -> list[dict]:
    """`text` as consecutive runs; each run lists the proposal ids whose quote covers it and, where a quote
    starts, the ids that start there (the anchor a proposal's 原文 link jumps to)."""
    cuts = {0, len(text)}
    for start, end in spans.values():
        cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
    points = sorted(cuts)
    runs = []
    for a, b in zip(points, points[1:], strict=False):
        if a == b:
            continue
        covering = [pid for pid, (s, e) in spans.items() if s <= a and b <= e]
        starting = [pid for pid, (s, _e) in spans.items() if s == a]
        runs.append({"text": text[a:b], "ids": " ".join(covering), "anchors": starting,
                     "kind": covering[0].split("-")[0] if covering else ""})  # fmt: skip
    return runs
