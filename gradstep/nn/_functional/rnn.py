"""Recurrent layers as fused ops: a whole RNN/LSTM/GRU stack (every layer and direction) is one Op.

Forward runs the recurrence over time in NumPy: the input projection of all timesteps is one
matrix product up front; each step is one ``h @ W_hh.T`` product plus gate arithmetic written into
preallocated arrays. Backward is backpropagation through time inside the same Op: the derivative
factors of the activations are computed for all steps at once before the loop, so each step is a
few products and one matrix product; the weight gradients are one matrix product over all steps
at the end. The large work arrays are ``_alloc`` buffers, reused by the next call once this
graph is released.

Sequences are handled in the time-major *packed* layout of ``PackedSequence``: the rows of step
``t`` are ``starts[t] : starts[t] + sizes[t]``, and ``sizes`` never increases, so the active rows
of a step are a prefix of the batch. A padded (T, B, H) input is the special case ``sizes = [B]*T``.

Internally the LSTM gates are reordered from torch's (i, f, g, o) to (o, i, f, g), so the three
sigmoid gates (o, i, f) are one contiguous block, and so are the three whose gradient is the
cell-state gradient times a factor (i, f, g). The sigmoid gates' weight rows are halved, so one ``tanh`` over all
four gates gives ``tanh(a/2)`` for the sigmoid gates: sigmoid(a) = (1 + tanh(a/2)) / 2. GRU does
the same for its (r, z) block. Halving is exact in floating point.
"""
import numpy as np

from ... import _alloc
from ..._ops.elementwise import tie_first
from ...autograd.graph import Op

__all__ = ["rnn_stack", "MODES"]

MODES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}



class _Layout:
    """Where each time step's rows are: ``steps[t] = (r0, r1)``; ``packed`` when sizes vary."""

    __slots__ = ("steps", "batch", "rows", "packed")

    def __init__(self, seq_len, batch, batch_sizes=None):
        if batch_sizes is None:
            self.steps = [(t * batch, (t + 1) * batch) for t in range(seq_len)]
            self.batch = batch
            self.rows = seq_len * batch
            self.packed = False
        else:
            steps, r = [], 0
            for b in batch_sizes:
                steps.append((r, r + b))
                r += b
            self.steps = steps
            self.batch = batch_sizes[0] if len(batch_sizes) else 0
            self.rows = r
            self.packed = True


def _prev_rows(full, init, steps, packed, reverse, batch):
    """For each row, the state it started its step from (``init`` for a sequence's first step)."""
    n = full.shape[0]
    if not packed and n >= batch:
        out = _alloc.empty(full.shape, full.dtype)
        if not reverse:
            out[:batch] = init
            out[batch:] = full[:n - batch]
        else:
            out[n - batch:] = init
            out[:n - batch] = full[batch:]
        return out
    if not packed:  # no steps
        return full.copy()
    idx = np.empty(n, dtype=np.int64)
    prev_start = prev_size = 0
    for r0, r1 in steps:  # processing order
        j = np.arange(r1 - r0)
        idx[r0:r1] = np.where(j < prev_size, batch + prev_start + j, j)
        prev_start, prev_size = r0, r1 - r0
    return np.concatenate([init, full])[idx]


def _sigmoid_scale(n_sigmoid, n_total, dtype):
    s = np.ones(n_total, dtype=dtype)
    s[:n_sigmoid] = 0.5
    return s


# ----- LSTM -----

def _lstm_perm(hidden):
    """Row order (o, i, f, g) from torch's (i, f, g, o): the sigmoid gates (o, i, f) are one
    block, and so are the gates whose gradient is dc times a factor (i, f, g)."""
    h = hidden
    return np.concatenate([np.arange(3 * h, 4 * h), np.arange(0, 3 * h)])


def _torch_rows(a, hid):
    """Rows (or entries) of ``a`` in internal (o, i, f, g) order, as torch's (i, f, g, o)."""
    return np.concatenate((a[hid:], a[:hid]))


def _lstm_forward(x, w_ih, w_hh, b_ih, b_hh, w_hr, h0, c0, lay, reverse, y, h_n, c_n):
    """One direction of one LSTM layer; writes outputs into ``y`` (N, Hout), ``h_n``, ``c_n``.

    ``gates`` keeps the activations (sigmoid o, i, f and tanh g) of every step, ``cs`` the cell
    states and ``tcs`` their tanh (work buffers from ``_alloc``).
    """
    hid = w_hh.shape[0] // 4
    h3 = 3 * hid
    dt = x.dtype
    perm = _lstm_perm(hid)
    w = np.take(w_ih, perm, axis=0, out=_alloc.empty(w_ih.shape, dt))
    w[:h3] *= 0.5  # sigmoid(a) = (1 + tanh(a / 2)) / 2: one tanh over all four gates
    n = x.shape[0]
    gates = _alloc.empty((n, 4 * hid), dt)
    np.matmul(x, w.T, out=gates)
    if b_ih is not None:
        bias = (b_ih + b_hh)[perm]
        bias[:h3] *= 0.5
        gates += bias
    w = np.take(w_hh, perm, axis=0, out=_alloc.empty(w_hh.shape, dt))
    w[:h3] *= 0.5
    w_hh_t = _alloc.empty(w.shape[::-1], dt)
    np.copyto(w_hh_t, w.T)
    w_hr_t = None if w_hr is None else np.ascontiguousarray(w_hr.T)
    cs = _alloc.empty((n, hid), dt)
    tcs = _alloc.empty((n, hid), dt)
    hraw = _alloc.empty((n, hid), dt) if w_hr is not None else None
    batch = lay.batch
    rec = np.empty((batch, 4 * hid), dt)
    ig = np.empty((batch, hid), dt)
    steps = lay.steps[::-1] if reverse else lay.steps
    packed = lay.packed
    if packed:
        hs = h0.copy()
        cst = c0.copy()
    hp, cp = h0, c0
    for r0, r1 in steps:
        b = r1 - r0
        if packed:
            hp = hs[:b]
            cp = cst[:b]
            rt = rec[:b]
            it = ig[:b]
        else:
            rt, it = rec, ig
        g = gates[r0:r1]
        np.matmul(hp, w_hh_t, out=rt)
        g += rt
        np.tanh(g, out=g)
        s = g[:, :h3]
        s *= 0.5
        s += 0.5
        ct = cs[r0:r1]
        np.multiply(g[:, 2 * hid:h3], cp, out=ct)
        np.multiply(g[:, hid:2 * hid], g[:, h3:], out=it)
        ct += it
        tc = tcs[r0:r1]
        np.tanh(ct, out=tc)
        yt = y[r0:r1]
        if w_hr is None:
            np.multiply(g[:, :hid], tc, out=yt)
        else:
            hr = hraw[r0:r1]
            np.multiply(g[:, :hid], tc, out=hr)
            np.matmul(hr, w_hr_t, out=yt)
        hp, cp = yt, ct
        if packed:
            hs[:b] = yt
            cst[:b] = ct
    if packed:
        h_n[...] = hs
        c_n[...] = cst
    elif steps:
        h_n[...] = hp
        c_n[...] = cp
    else:
        h_n[...] = h0
        c_n[...] = c0
    return (x, w_ih, w_hh, w_hr, h0, c0, gates, cs, tcs, hraw, y, reverse, b_ih is not None)


def _prev_product(out, full, init, lay, reverse):
    """``out *= prev`` where ``prev`` is, row by row, the state each row started its step from."""
    batch = lay.batch
    n = full.shape[0]
    if lay.packed:
        out *= _prev_rows(full, init, lay.steps[::-1] if reverse else lay.steps, True, reverse,
                          batch)
    elif not reverse:
        out[:batch] *= init
        out[batch:] *= full[:n - batch]
    else:
        out[n - batch:] *= init
        out[:n - batch] *= full[batch:]


def _lstm_backward(cache, lay, dy, dh_n, dc_n, need_x):
    x, w_ih, w_hh, w_hr, h0, c0, gates, cs, tcs, hraw, y, reverse, has_bias = cache
    hid = w_hh.shape[0] // 4
    h3 = 3 * hid
    dt = x.dtype
    n = gates.shape[0]
    perm = _lstm_perm(hid)
    w_hh_p = np.take(w_hh, perm, axis=0, out=_alloc.empty(w_hh.shape, dt))
    steps = lay.steps[::-1] if reverse else lay.steps
    # Per-row factors, all steps at once. With s = (o, i, f) and dc the cell-state gradient:
    # d a_o = dh * tanh(c) o (1 - o);  dc += dh * o (1 - tanh(c)^2);
    # d a_(i, f, g) = dc * (g i (1 - i), c_prev f (1 - f), i (1 - g^2));  dc_prev = dc * f.
    fac = _alloc.empty((n, 4 * hid), dt)
    sg = gates[:, :h3]
    np.subtract(1, sg, out=fac[:, :h3])
    fac[:, :h3] *= sg
    fac[:, :hid] *= tcs
    fac[:, hid:2 * hid] *= gates[:, h3:]
    _prev_product(fac[:, 2 * hid:h3], cs, c0, lay, reverse)
    fg = fac[:, h3:]
    np.multiply(gates[:, h3:], gates[:, h3:], out=fg)
    np.subtract(1, fg, out=fg)
    fg *= gates[:, hid:2 * hid]
    k = _alloc.empty((n, hid), dt)
    np.multiply(tcs, tcs, out=k)
    np.subtract(1, k, out=k)
    k *= gates[:, :hid]
    dgates = _alloc.empty((n, 4 * hid), dt)
    dhs = np.array(dh_n, dtype=dt, copy=True)
    dcs = np.array(dc_n, dtype=dt, copy=True)
    batch = dhs.shape[0]
    tmp = np.empty((batch, hid), dt)
    dhp = _alloc.empty((n, y.shape[1]), dt) if w_hr is not None else None
    for r0, r1 in reversed(steps):
        b = r1 - r0
        dh = dhs[:b]
        dh += dy[r0:r1]
        if w_hr is not None:
            dhp[r0:r1] = dh
            dh = dh @ w_hr
        f = fac[r0:r1]
        dg = dgates[r0:r1]
        np.multiply(dh, f[:, :hid], out=dg[:, :hid])
        dc = dcs[:b]
        t = tmp[:b]
        np.multiply(dh, k[r0:r1], out=t)
        dc += t
        np.multiply(dc[:, None, :], f[:, hid:].reshape(b, 3, hid),
                    out=dg[:, hid:].reshape(b, 3, hid))
        dc *= gates[r0:r1, 2 * hid:h3]
        np.matmul(dg, w_hh_p, out=dhs[:b])
    h_prev = _prev_rows(y, h0, steps, lay.packed, reverse, lay.batch)
    dw_hh = np.empty((4 * hid, h_prev.shape[1]), dt)
    np.matmul(dgates[:, hid:].T, h_prev, out=dw_hh[:h3])
    np.matmul(dgates[:, :hid].T, h_prev, out=dw_hh[h3:])
    dw_ih = np.empty((4 * hid, x.shape[1]), dt)
    np.matmul(dgates[:, hid:].T, x, out=dw_ih[:h3])
    np.matmul(dgates[:, :hid].T, x, out=dw_ih[h3:])
    db = _torch_rows(dgates.sum(0), hid) if has_bias else None
    dw_hr = dhp.T @ hraw if w_hr is not None else None
    dx = dgates @ np.take(w_ih, perm, axis=0, out=_alloc.empty(w_ih.shape, dt)) \
        if need_x else None
    return dx, dhs, dcs, dw_ih, dw_hh, db, dw_hr


# ----- GRU -----

def _gru_forward(x, w_ih, w_hh, b_ih, b_hh, h0, lay, reverse, y, h_n):
    """One direction of one GRU layer: n = tanh(W_in x + b_in + r * (W_hn h + b_hn))."""
    hid = w_hh.shape[0] // 3
    h2 = 2 * hid
    scale = _sigmoid_scale(h2, 3 * hid, x.dtype)[:, None]
    gi = x @ (w_ih * scale).T
    bh = None
    if b_ih is not None:
        gi += b_ih * scale[:, 0]
        bh = b_hh * scale[:, 0]
    w_hh_t = np.ascontiguousarray((w_hh * scale).T)
    n = x.shape[0]
    gh = np.empty((n, 3 * hid), dtype=x.dtype)
    steps = lay.steps[::-1] if reverse else lay.steps
    packed = lay.packed
    if packed:
        hs = h0.copy()
    hp = h0
    for r0, r1 in steps:
        b = r1 - r0
        if packed:
            hp = hs[:b]
        g = gi[r0:r1]
        ght = gh[r0:r1]
        np.matmul(hp, w_hh_t, out=ght)
        if bh is not None:
            ght += bh
        rz = g[:, :h2]
        rz += ght[:, :h2]
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        nt = g[:, h2:]
        nt += g[:, :hid] * ght[:, h2:]
        np.tanh(nt, out=nt)
        yt = y[r0:r1]
        np.subtract(hp, nt, out=yt)
        yt *= g[:, hid:h2]
        yt += nt
        hp = yt
        if packed:
            hs[:b] = yt
    h_n[...] = hs if packed else hp
    return x, w_ih, w_hh, h0, gi, gh, y, reverse, b_ih is not None


def _gru_backward(cache, lay, dy, dh_n, need_x):
    x, w_ih, w_hh, h0, gi, gh, y, reverse, has_bias = cache
    hid = w_hh.shape[0] // 3
    h2 = 2 * hid
    steps = lay.steps[::-1] if reverse else lay.steps
    h_prev = _prev_rows(y, h0, steps, lay.packed, reverse, lay.batch)
    r, z, nn_ = gi[:, :hid], gi[:, hid:h2], gi[:, h2:]
    hn = gh[:, h2:]
    one_z = 1 - z
    dan_f = one_z * (1 - nn_ * nn_)
    dz_f = (h_prev - nn_) * z * one_z
    dr_f = hn * r * (1 - r)
    dgi = np.empty_like(gi)
    dgh = np.empty_like(gh)
    dhs = np.array(dh_n, dtype=x.dtype, copy=True)
    for r0, r1 in reversed(steps):
        b = r1 - r0
        dh = dhs[:b]
        dh += dy[r0:r1]
        dgit = dgi[r0:r1]
        dght = dgh[r0:r1]
        dan = dgit[:, h2:]
        np.multiply(dh, dan_f[r0:r1], out=dan)
        np.multiply(dh, dz_f[r0:r1], out=dgit[:, hid:h2])
        np.multiply(dan, dr_f[r0:r1], out=dgit[:, :hid])
        np.multiply(dan, r[r0:r1], out=dght[:, h2:])
        dght[:, :h2] = dgit[:, :h2]
        back = dght @ w_hh
        dh *= z[r0:r1]
        dh += back
    dw_hh = dgh.T @ h_prev
    dw_ih = dgi.T @ x
    db_ih = dgi.sum(0) if has_bias else None
    db_hh = dgh.sum(0) if has_bias else None
    dx = dgi @ w_ih if need_x else None
    return dx, dhs, dw_ih, dw_hh, db_ih, db_hh


# ----- Elman RNN -----

def _rnn_forward(x, w_ih, w_hh, b_ih, b_hh, h0, lay, reverse, y, h_n, relu):
    """One direction of one Elman layer: h' = act(W_ih x + b_ih + W_hh h + b_hh)."""
    a = x @ w_ih.T
    if b_ih is not None:
        a += b_ih + b_hh
    w_hh_t = np.ascontiguousarray(w_hh.T)
    steps = lay.steps[::-1] if reverse else lay.steps
    packed = lay.packed
    if packed:
        hs = h0.copy()
    hp = h0
    for r0, r1 in steps:
        b = r1 - r0
        if packed:
            hp = hs[:b]
        at = a[r0:r1]
        at += hp @ w_hh_t
        yt = y[r0:r1]
        if relu:
            tie_first(np.maximum, at, 0, out=yt)  # relu(-0.) is -0., as torch
        else:
            np.tanh(at, out=yt)
        hp = yt
        if packed:
            hs[:b] = yt
    h_n[...] = hs if packed else hp
    return x, w_ih, w_hh, h0, y, reverse, relu, b_ih is not None


def _rnn_backward(cache, lay, dy, dh_n, need_x):
    x, w_ih, w_hh, h0, y, reverse, relu, has_bias = cache
    steps = lay.steps[::-1] if reverse else lay.steps
    if relu:
        fac = (y > 0).astype(y.dtype)
    else:
        fac = y * y
        np.subtract(1, fac, out=fac)
    da = np.empty(y.shape, dtype=x.dtype)
    dhs = np.array(dh_n, dtype=x.dtype, copy=True)
    for r0, r1 in reversed(steps):
        b = r1 - r0
        dh = dhs[:b]
        dh += dy[r0:r1]
        dat = da[r0:r1]
        np.multiply(dh, fac[r0:r1], out=dat)
        np.matmul(dat, w_hh, out=dhs[:b])
    h_prev = _prev_rows(y, h0, steps, lay.packed, reverse, lay.batch)
    dw_hh = da.T @ h_prev
    dw_ih = da.T @ x
    db = da.sum(0) if has_bias else None
    dx = da @ w_ih if need_x else None
    return dx, dhs, dw_ih, dw_hh, db


# ----- the stack -----

class RNNConfig:
    """Static description of a recurrent stack, passed to the op as one non-tensor argument."""

    __slots__ = ("mode", "num_layers", "num_directions", "batch_first", "batch_sizes", "bias",
                 "proj_size", "hidden_size")

    def __init__(self, mode, num_layers, num_directions, batch_first, batch_sizes, bias,
                 proj_size, hidden_size):
        self.mode = mode
        self.num_layers = num_layers
        self.num_directions = num_directions
        self.batch_first = batch_first
        self.batch_sizes = batch_sizes
        self.bias = bias
        self.proj_size = proj_size
        self.hidden_size = hidden_size

    def per_layer(self):
        """Number of weight tensors per layer and direction."""
        return 2 + 2 * self.bias + (self.proj_size > 0)


class RNNStack(Op):
    """Every layer and direction of an RNN/LSTM/GRU: flat output [y, h_n, (c_n)].

    Value: the recurrences of the module docstring; derivative: backpropagation through time.
    ``masks`` (one per layer after the first, or None) are inter-layer dropout masks, already
    scaled by 1 / (1 - p).
    """
    name_ = "MkldnnRnnLayerBackward0"

    @staticmethod
    def forward(ctx, x, h0, c0, cfg, masks, *weights):
        mode = cfg.mode
        nl, nd = cfg.num_layers, cfg.num_directions
        hid = cfg.hidden_size
        hout = cfg.proj_size or hid
        dt = x.dtype
        if cfg.batch_sizes is not None:
            lay = _Layout(0, 0, cfg.batch_sizes)
            x2d = x
            batch = lay.batch
        else:
            if cfg.batch_first:
                batch, seq = x.shape[0], x.shape[1]
                x2d = np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(seq * batch, -1)
            else:
                seq, batch = x.shape[0], x.shape[1]
                x2d = x.reshape(seq * batch, -1)
            lay = _Layout(seq, batch)
        n = lay.rows
        ny = n * nd * hout
        nh = nl * nd * batch * hout
        nc = nl * nd * batch * hid if mode == "LSTM" else 0
        flat = np.empty(ny + nh + nc, dtype=dt)
        h0_in, c0_in = h0, c0
        h_n = flat[ny:ny + nh].reshape(nl * nd, batch, hout)
        c_n = flat[ny + nh:].reshape(nl * nd, batch, hid) if mode == "LSTM" else None
        if h0 is None:
            h0 = np.zeros((nl * nd, batch, hout), dtype=dt)
        if mode == "LSTM" and c0 is None:
            c0 = np.zeros((nl * nd, batch, hid), dtype=dt)
        per = cfg.per_layer()
        caches = []
        inp = x2d
        time_major_out = cfg.batch_sizes is not None or not cfg.batch_first
        for layer in range(nl):
            if layer and masks is not None:
                inp = inp * masks[layer - 1]
            if layer == nl - 1 and time_major_out:
                out = flat[:ny].reshape(n, nd * hout)
            else:
                out = _alloc.empty((n, nd * hout), dt)
            layer_caches = []
            for d in range(nd):
                k = layer * nd + d
                w = weights[k * per:(k + 1) * per]
                w_ih, w_hh = w[0], w[1]
                b_ih, b_hh = (w[2], w[3]) if cfg.bias else (None, None)
                y = out[:, d * hout:(d + 1) * hout] if nd > 1 else out
                if mode == "LSTM":
                    w_hr = w[-1] if cfg.proj_size else None
                    cache = _lstm_forward(inp, w_ih, w_hh, b_ih, b_hh, w_hr, h0[k], c0[k], lay,
                                          d == 1, y, h_n[k], c_n[k])
                elif mode == "GRU":
                    cache = _gru_forward(inp, w_ih, w_hh, b_ih, b_hh, h0[k], lay, d == 1, y,
                                         h_n[k])
                else:
                    cache = _rnn_forward(inp, w_ih, w_hh, b_ih, b_hh, h0[k], lay, d == 1, y,
                                         h_n[k], mode == "RNN_RELU")
                layer_caches.append(cache)
            caches.append(layer_caches)
            inp = out
        if not time_major_out:
            flat[:ny].reshape(batch, lay.rows // max(batch, 1) if batch else 0,
                              nd * hout)[...] = inp.reshape(-1, batch, nd * hout).transpose(1, 0, 2)
        ctx.cfg = cfg
        ctx.lay = lay
        ctx.caches = caches
        ctx.masks = masks
        ctx.sizes = (ny, nh, nc)
        ctx.x_shape = x.shape
        ctx.save_for_backward(x, h0_in, c0_in, *weights, flat)
        return flat

    @staticmethod
    def backward(ctx, grad):
        saved = ctx._arrays  # raises when an input or the output was modified in place
        if not isinstance(grad, np.ndarray):
            return _composed_backward(ctx, grad, saved)
        cfg, lay = ctx.cfg, ctx.lay
        nl, nd = cfg.num_layers, cfg.num_directions
        hid = cfg.hidden_size
        hout = cfg.proj_size or hid
        ny, nh, nc = ctx.sizes
        batch = lay.batch
        n = lay.rows
        if cfg.batch_sizes is None and cfg.batch_first:
            dout = np.ascontiguousarray(
                grad[:ny].reshape(batch, n // batch if batch else 0, nd * hout).transpose(1, 0, 2)
            ).reshape(n, nd * hout)
        else:
            dout = grad[:ny].reshape(n, nd * hout)
        dh_n = grad[ny:ny + nh].reshape(nl * nd, batch, hout)
        dc_n = grad[ny + nh:].reshape(nl * nd, batch, hid) if nc else None
        needs = ctx.needs_input_grad
        per = cfg.per_layer()
        dweights = [None] * (nl * nd * per)
        dh0 = np.empty((nl * nd, batch, hout), dtype=grad.dtype)
        dc0 = np.empty((nl * nd, batch, hid), dtype=grad.dtype) if nc else None
        mode = cfg.mode
        for layer in reversed(range(nl)):
            need_x = layer > 0 or needs[0]
            dinp = None
            for d in range(nd):
                k = layer * nd + d
                cache = ctx.caches[layer][d]
                dy = dout[:, d * hout:(d + 1) * hout] if nd > 1 else dout
                if mode == "LSTM":
                    dx, dh, dc, dw_ih, dw_hh, db, dw_hr = _lstm_backward(
                        cache, lay, dy, dh_n[k], dc_n[k], need_x)
                    dc0[k] = dc
                    gs = [dw_ih, dw_hh]
                    if cfg.bias:
                        gs += [db, db.copy()]
                    if cfg.proj_size:
                        gs.append(dw_hr)
                elif mode == "GRU":
                    dx, dh, dw_ih, dw_hh, db_ih, db_hh = _gru_backward(cache, lay, dy, dh_n[k],
                                                                       need_x)
                    gs = [dw_ih, dw_hh] + ([db_ih, db_hh] if cfg.bias else [])
                else:
                    dx, dh, dw_ih, dw_hh, db = _rnn_backward(cache, lay, dy, dh_n[k], need_x)
                    gs = [dw_ih, dw_hh] + ([db, db.copy()] if cfg.bias else [])
                dh0[k] = dh
                dweights[k * per:(k + 1) * per] = gs
                if need_x:
                    dinp = dx if dinp is None else dinp + dx
            if layer and ctx.masks is not None:
                dinp = dinp * ctx.masks[layer - 1]
            dout = dinp
        dx = None
        if needs[0]:
            if cfg.batch_sizes is None and cfg.batch_first:
                dx = np.ascontiguousarray(
                    dout.reshape(n // batch if batch else 0, batch, -1).transpose(1, 0, 2))
            else:
                dx = dout.reshape(ctx.x_shape)
        return (dx, dh0 if needs[1] else None, dc0 if needs[2] else None, None, None, *dweights)


    def _release(self):
        # the graph is done with this node: its work buffers (``_alloc``) can serve the next call
        super()._release()
        self.__dict__.pop("caches", None)


def rnn_stack(x, h0, c0, cfg, masks, weights):
    """Run a recurrent stack; returns ``(output, h_n, c_n or None)`` as Tensors."""
    if cfg.batch_sizes is None and x.shape[1 if cfg.batch_first else 0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    out = RNNStack.apply(x, h0, c0, cfg, masks, *weights)
    ny = x.shape[0] * (x.shape[1] if cfg.batch_sizes is None else 1) \
        * cfg.num_directions * (cfg.proj_size or cfg.hidden_size)
    nl, nd = cfg.num_layers, cfg.num_directions
    batch = (x.shape[0] if cfg.batch_first else x.shape[1]) if cfg.batch_sizes is None \
        else (cfg.batch_sizes[0] if cfg.batch_sizes else 0)
    hout = cfg.proj_size or cfg.hidden_size
    nh = nl * nd * batch * hout
    if cfg.batch_sizes is None:
        y_shape = (x.shape[0], x.shape[1], nd * hout)
    else:
        y_shape = (x.shape[0], nd * hout)
    y = out[:ny].view(y_shape)
    h_n = out[ny:ny + nh].view(nl * nd, batch, hout)
    c_n = out[ny + nh:].view(nl * nd, batch, cfg.hidden_size) if cfg.mode == "LSTM" else None
    return y, h_n, c_n


# ----- the same stack composed from differentiable ops: double backward -----

def _composed_stack(x, h0, c0, cfg, masks, weights):
    """The recurrence of ``RNNStack`` built from gradstep ops (for ``create_graph=True``)."""
    import gradstep as gs
    nl, nd = cfg.num_layers, cfg.num_directions
    hid = cfg.hidden_size
    hout = cfg.proj_size or hid
    mode = cfg.mode
    if cfg.batch_sizes is not None:
        lay = _Layout(0, 0, cfg.batch_sizes)
        inp = x
    else:
        xt = x.transpose(0, 1) if cfg.batch_first else x
        lay = _Layout(xt.shape[0], xt.shape[1])
        inp = xt.reshape(lay.rows, xt.shape[2])
    batch = lay.batch
    if h0 is None:
        h0 = gs.zeros((nl * nd, batch, hout), dtype=x.dtype)
    if mode == "LSTM" and c0 is None:
        c0 = gs.zeros((nl * nd, batch, hid), dtype=x.dtype)
    per = cfg.per_layer()
    h_ns, c_ns = [], []
    for layer in range(nl):
        if layer and masks is not None:
            inp = inp * gs.tensor(masks[layer - 1])
        outs = []
        for d in range(nd):
            k = layer * nd + d
            w = weights[k * per:(k + 1) * per]
            w_ih, w_hh = w[0], w[1]
            b_ih, b_hh = (w[2], w[3]) if cfg.bias else (None, None)
            xp = inp @ w_ih.t()
            if b_ih is not None:
                xp = xp + b_ih
            h, c = h0[k], (c0[k] if mode == "LSTM" else None)
            rows = [None] * len(lay.steps)
            order = range(len(lay.steps) - 1, -1, -1) if d == 1 else range(len(lay.steps))
            for t in order:
                r0, r1 = lay.steps[t]
                b = r1 - r0
                hp = h[:b]
                hh = hp @ w_hh.t()
                if b_hh is not None:
                    hh = hh + b_hh
                gx = xp[r0:r1]
                if mode == "LSTM":
                    i, f, g, o = (gx + hh).chunk(4, 1)
                    cn = gs.sigmoid(f) * c[:b] + gs.sigmoid(i) * gs.tanh(g)
                    hn = gs.sigmoid(o) * gs.tanh(cn)
                    if cfg.proj_size:
                        hn = hn @ w[-1].t()
                    c = gs.cat([cn, c[b:]]) if b < batch else cn
                elif mode == "GRU":
                    xr, xz, xn = gx.chunk(3, 1)
                    hr, hz, hn_ = hh.chunk(3, 1)
                    r = gs.sigmoid(xr + hr)
                    z = gs.sigmoid(xz + hz)
                    n = gs.tanh(xn + r * hn_)
                    hn = (1 - z) * n + z * hp
                else:
                    a = gx + hh
                    hn = gs.relu(a) if mode == "RNN_RELU" else gs.tanh(a)
                rows[t] = hn
                h = gs.cat([hn, h[b:]]) if b < batch else hn
            h_ns.append(h)
            if mode == "LSTM":
                c_ns.append(c)
            outs.append(gs.cat(rows) if rows else xp[:, :hout] * 0)
        inp = gs.cat(outs, 1) if nd > 1 else outs[0]
    if cfg.batch_sizes is None and cfg.batch_first:
        y = inp.reshape(-1, batch, nd * hout).transpose(0, 1)
    else:
        y = inp
    parts = [y.reshape(-1), gs.stack(h_ns).reshape(-1)]
    if mode == "LSTM":
        parts.append(gs.stack(c_ns).reshape(-1))
    return gs.cat(parts)


def _composed_backward(ctx, grad, saved):
    """Backward under ``create_graph=True``: differentiate the composed stack, keeping a graph."""
    import gradstep as gs
    x, h0, c0, *weights = saved[:-1]
    args = [x, h0, c0] + list(weights)
    with gs.enable_grad():
        out = _composed_stack(x, h0, c0, ctx.cfg, ctx.masks, weights)
    wanted = [i for i, a in enumerate(args) if ctx.needs_input_grad[i if i < 3 else i + 2]]
    grads = gs.autograd.grad(out, [args[i] for i in wanted], grad, create_graph=True,
                             allow_unused=True)
    result = [None] * (len(args) + 2)
    for i, g in zip(wanted, grads):
        result[i if i < 3 else i + 2] = g
    return tuple(result)
