"""The box index: which (segment, area) pairs have overlapping bounding boxes, on a uniform grid."""

from __future__ import annotations

import numpy as np


# --------------------------------------------------------------------------- candidate search
def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes: (group index, position within group) of every member."""
    total = int(counts.sum())
    group = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    within = np.arange(total) - np.repeat(starts, counts)
    return group, within


class BoxIndex:
    """A uniform grid over boxes (minx, miny, maxx, maxy); finds boxes that touch query boxes."""

    MAX_CELLS_PER_QUERY = 64

    def __init__(self, boxes: np.ndarray):
        self.boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        ok = np.all(np.isfinite(self.boxes), axis=1)
        self.valid = np.flatnonzero(ok)
        if len(self.valid) == 0:
            self.empty = True
            return
        self.empty = False
        b = self.boxes[self.valid]
        self.ox, self.oy = b[:, 0].min(), b[:, 1].min()
        width = max(b[:, 2].max() - self.ox, 1e-9)
        height = max(b[:, 3].max() - self.oy, 1e-9)
        size = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
        cell = max(float(np.median(size)) * 2.0, np.sqrt(width * height / 1_000_000), 1e-6)
        self.cell = cell
        self.ncx = int(width // cell) + 1
        self.ncy = int(height // cell) + 1
        ix0, iy0, ix1, iy1 = self._cells(b[:, 0], b[:, 1], b[:, 2], b[:, 3])
        w = ix1 - ix0 + 1
        box, within = _expand(w * (iy1 - iy0 + 1))
        cx = ix0[box] + within % w[box]
        cy = iy0[box] + within // w[box]
        cell_id = cy * self.ncx + cx
        order = np.argsort(cell_id, kind="stable")
        self.cell_box = self.valid[box[order]]
        # each box's first cell, and its bounds as contiguous arrays
        self.box_ix0 = np.zeros(len(self.boxes), np.int64)
        self.box_iy0 = np.zeros(len(self.boxes), np.int64)
        self.box_ix0[self.valid], self.box_iy0[self.valid] = ix0, iy0
        self.bx0, self.by0, self.bx1, self.by1 = (np.ascontiguousarray(self.boxes[:, i]) for i in range(4))
        self.cell_start = np.searchsorted(cell_id[order], np.arange(self.ncx * self.ncy + 1))

    def _cells(self, x0, y0, x1, y1):
        c = self.cell
        ix0 = np.clip(np.floor((x0 - self.ox) / c), 0, self.ncx - 1).astype(np.int64)
        iy0 = np.clip(np.floor((y0 - self.oy) / c), 0, self.ncy - 1).astype(np.int64)
        ix1 = np.clip(np.floor((x1 - self.ox) / c), 0, self.ncx - 1).astype(np.int64)
        iy1 = np.clip(np.floor((y1 - self.oy) / c), 0, self.ncy - 1).astype(np.int64)
        return ix0, iy0, ix1, iy1

    def query(self, x0, y0, x1, y1) -> tuple[np.ndarray, np.ndarray]:
        """(query index, box index) of every pair of touching boxes, each pair once (in no
        particular order)."""
        if self.empty or len(x0) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        b = self.boxes
        q_all = np.flatnonzero(
            (x1 >= self.ox)
            & (y1 >= self.oy)
            & (x0 <= self.ox + self.ncx * self.cell)
            & (y0 <= self.oy + self.ncy * self.cell)
        )
        ix0, iy0, ix1, iy1 = self._cells(x0[q_all], y0[q_all], x1[q_all], y1[q_all])
        w = ix1 - ix0 + 1
        ncell = w * (iy1 - iy0 + 1)
        out_q, out_b = [], []
        # most queries (a few seconds of movement) fall in one cell: no duplicates possible
        one = ncell == 1
        pos, bb = self._boxes_in_cells(iy0[one] * self.ncx + ix0[one])
        out_q.append(q_all[one][pos])
        out_b.append(bb)
        several = np.flatnonzero((ncell > 1) & (ncell <= self.MAX_CELLS_PER_QUERY))
        if len(several):
            # every cell of the query's range; a box in several of them is kept in one: the first
            # cell (lowest x, then y) of the overlap of its range and the query's
            sw, sx0, sy0 = w[several], ix0[several], iy0[several]
            q, within = _expand(ncell[several])
            cx = sx0[q] + within % sw[q]
            cy = sy0[q] + within // sw[q]
            qi, bb = self._boxes_in_cells(cy * self.ncx + cx)
            qs = q[qi]
            first = (cx[qi] == np.maximum(sx0[qs], self.box_ix0[bb])) & (
                cy[qi] == np.maximum(sy0[qs], self.box_iy0[bb])
            )
            out_q.append(q_all[several[qs[first]]])
            out_b.append(bb[first])
        for qi in q_all[ncell > self.MAX_CELLS_PER_QUERY]:  # rare: a long jump; test every box
            hit = np.flatnonzero((b[:, 0] <= x1[qi]) & (b[:, 2] >= x0[qi]) & (b[:, 1] <= y1[qi]) & (b[:, 3] >= y0[qi]))
            out_q.append(np.full(len(hit), qi, dtype=np.int64))
            out_b.append(hit)
        q = np.concatenate(out_q)
        bi = np.concatenate(out_b)
        exact = np.take(self.bx0, bi) <= np.take(x1, q)
        exact &= np.take(self.bx1, bi) >= np.take(x0, q)
        exact &= np.take(self.by0, bi) <= np.take(y1, q)
        exact &= np.take(self.by1, bi) >= np.take(y0, q)
        return q[exact], bi[exact]

    def _boxes_in_cells(self, cell_id):
        """(position in cell_id, box) of every box in these cells."""
        lo = self.cell_start[cell_id]
        cnt = self.cell_start[cell_id + 1] - lo
        total = int(cnt.sum())
        pos = np.repeat(np.arange(len(cell_id)), cnt)
        return pos, self.cell_box[np.arange(total) - np.repeat(np.cumsum(cnt) - cnt - lo, cnt)]


# --------------------------------------------------------------------------- intervals
