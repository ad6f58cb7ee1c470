r"""L-BFGS: quasi-Newton directions from a short memory of curvature pairs, with a fixed step
or a strong-Wolfe line search.

The pieces, each written from Nocedal & Wright, *Numerical Optimization* (2nd ed.):

- :class:`_FlatView` sees the parameters as one vector :math:`\theta` (reads, writes, gradient);
- :class:`_CurvatureMemory` keeps the last :math:`m` pairs :math:`(s_k, y_k)` and turns a
  gradient into the direction :math:`-H_k g` by the two-loop recursion (Algorithm 7.4);
- :func:`_cubic_step` is the minimizer of the cubic through two points with values and slopes
  (eq. 3.59), and :func:`_strong_wolfe` brackets then zooms on a step meeting the strong Wolfe
  conditions (Algorithms 3.5 and 3.6), with minFunc's safeguards.
"""
import numpy as np

from .._tensor import Tensor
from ._common import check_lr
from .optimizer import Optimizer, _use_grad

__all__ = ["LBFGS"]

_CURVATURE_EPS = 1e-10  # a pair enters the memory only when y's exceeds this


def _raw(value):
    """The NumPy array (or plain number) behind a state value."""
    return value._data if isinstance(value, Tensor) else value


def _axpy(y, a, x):
    """``y + a * x`` rounded once, as torch's ``y.add(x, alpha=a)`` is (a fused multiply-add,
    with ``a`` cast to the tensor's dtype): exact through float64 for float32 and narrower;
    float64 is computed directly (NumPy has no fused multiply-add)."""
    if y.dtype.itemsize < 8:
        wide = np.float64(y.dtype.type(a))
        return (y.astype(np.float64) + wide * x.astype(np.float64)).astype(y.dtype)
    return y + a * x


def _tensor(array):
    """A state value as torch keeps it: a tensor owning ``array``."""
    return Tensor._make(np.asarray(array))


class _FlatView:
    r"""The parameters of one group seen as a single vector :math:`\theta`.

    Gradients are concatenated in parameter order; a parameter without a gradient contributes
    zeros, so its entries of every direction are zero and it never moves.
    """

    def __init__(self, params):
        self.params = params
        self.sizes = [p._data.size for p in params]

    def grad(self):
        r""":math:`g = \nabla f(\theta)`, as one new array."""
        parts = [np.zeros(p._data.size, p._data.dtype) if p._grad is None
                 else p._grad._data.reshape(-1) for p in self.params]
        return np.concatenate(parts)

    def values(self):
        r""":math:`\theta`, as one new array."""
        return np.concatenate([p._data.reshape(-1) for p in self.params])

    def _pieces(self, flat):
        start = 0
        for p, n in zip(self.params, self.sizes):
            yield p, flat[start:start + n].reshape(p._data.shape)
            start += n

    def assign(self, theta):
        r"""Write the vector ``theta`` back into the parameters."""
        for p, piece in self._pieces(theta):
            np.copyto(p._data, piece)
            p._bump_version()

    def move(self, step, direction):
        r""":math:`\theta \leftarrow \theta + t\,d`, in place."""
        for p, piece in self._pieces(direction):
            np.copyto(p._data, _axpy(p._data, step, piece))
            p._bump_version()


class _CurvatureMemory:
    r"""The last ``m`` curvature pairs and the two-loop recursion over them.

    A step :math:`s = \theta_{k+1} - \theta_k` with gradient change :math:`y = g_{k+1} - g_k`
    is kept only when :math:`y^\top s > 10^{-10}` (so that :math:`H` stays positive
    definite), with :math:`\rho = 1 / y^\top s`, and sets the initial inverse Hessian
    :math:`H^0 = \gamma I`, :math:`\gamma = s^\top y / y^\top y`. The oldest pair is dropped
    once ``m`` are held.

    The lists live in the optimizer's state under torch's names: ``old_dirs`` (the
    :math:`y`), ``old_stps`` (the :math:`s`), ``ro`` (the :math:`\rho`), ``H_diag``
    (:math:`\gamma`) and ``al`` (the :math:`\alpha` of the last recursion).
    """

    def __init__(self, state, size):
        self.state = state
        self.size = size
        self.ys = state.get("old_dirs")
        self.ss = state.get("old_stps")
        self.rhos = state.get("ro")
        self.gamma = state.get("H_diag")

    def clear(self):
        self.ys, self.ss, self.rhos, self.gamma = [], [], [], 1

    def push(self, s, y):
        """Remember the pair (s, y) if it has positive curvature."""
        sy = np.dot(y, s)
        if not sy > _CURVATURE_EPS:
            return
        if len(self.ys) == self.size:
            del self.ys[0], self.ss[0], self.rhos[0]
        self.ys.append(_tensor(y))
        self.ss.append(_tensor(s))
        self.rhos.append(_tensor(np.asarray(1.0, sy.dtype) / sy))
        self.gamma = _tensor(sy / np.dot(y, y))

    def direction(self, g):
        r"""The quasi-Newton direction :math:`d = -H g` (Algorithm 7.4).

        .. math::
           \begin{aligned}
             & q \leftarrow -g;\quad \text{for } i = k-1, \dots, k-m:\
               \alpha_i \leftarrow \rho_i s_i^\top q,\ q \leftarrow q - \alpha_i y_i \\
             & r \leftarrow \gamma q;\quad \text{for } i = k-m, \dots, k-1:\
               \beta \leftarrow \rho_i y_i^\top r,\ r \leftarrow r + (\alpha_i - \beta) s_i
           \end{aligned}
        """
        alphas = self.state.get("al")
        if alphas is None:
            alphas = self.state["al"] = [None] * self.size
        q = -g
        count = len(self.ys)
        for i in range(count - 1, -1, -1):
            alpha = np.dot(_raw(self.ss[i]), q) * _raw(self.rhos[i])
            alphas[i] = _tensor(alpha)
            q = _axpy(q, -alpha, _raw(self.ys[i]))
        r = q * _raw(self.gamma)
        for i in range(count):
            beta = np.dot(_raw(self.ys[i]), r) * _raw(self.rhos[i])
            r = _axpy(r, _raw(alphas[i]) - beta, _raw(self.ss[i]))
        return r

    def save(self):
        self.state["old_dirs"] = self.ys
        self.state["old_stps"] = self.ss
        self.state["ro"] = self.rhos
        self.state["H_diag"] = self.gamma


def _is_array(x):
    return isinstance(x, (np.ndarray, np.generic))


def _quotient(num, den):
    """``num / den`` rounded as torch rounds it: a Python number over a tensor is computed as
    ``den.reciprocal() * num``, which can differ from the true quotient in the last bit (and
    decides, e.g., whether a nearly degenerate cubic has a real minimizer)."""
    if _is_array(den) and not _is_array(num):
        return (1 / den) * num
    return num / den


def _cubic_step(a, fa, da, b, fb, db, bounds=None):
    r"""The minimizer of the cubic interpolating :math:`(a, f_a, f'_a)` and
    :math:`(b, f_b, f'_b)`, clipped to ``bounds`` (default: the interval between a and b).

    With the points ordered so that :math:`x_1 < x_2` (N&W eq. 3.59):

    .. math::
       d_1 = f'_1 + f'_2 - 3 \frac{f_1 - f_2}{x_1 - x_2}, \quad
       d_2 = \sqrt{d_1^2 - f'_1 f'_2}, \quad
       x^* = x_2 - (x_2 - x_1) \frac{f'_2 + d_2 - d_1}{f'_2 - f'_1 + 2 d_2}

    When :math:`d_1^2 < f'_1 f'_2` the cubic has no minimizer and the bounds' midpoint is
    returned.
    """
    if b < a:
        a, fa, da, b, fb, db = b, fb, db, a, fa, da
    lo, hi = (a, b) if bounds is None else bounds
    d1 = da + db - _quotient(3 * (fa - fb), a - b)
    disc = d1 * d1 - da * db
    if not disc >= 0:
        return (lo + hi) / 2
    d2 = np.sqrt(disc)
    x = b - (b - a) * ((db + d2 - d1) / (db - da + 2 * d2))
    return min(max(x, lo), hi)


class _Trial:
    """One evaluation along the search line: step t, value f, gradient g, slope g'd."""

    __slots__ = ("t", "f", "g", "slope")

    def __init__(self, t, f, g, slope):
        self.t, self.f, self.g, self.slope = t, f, g, slope


def _strong_wolfe(phi, t, start, d, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    r"""A step ``t`` along ``d`` meeting the strong Wolfe conditions

    .. math::
       f(t) \le f(0) + c_1 t f'(0), \qquad |f'(t)| \le c_2 |f'(0)|

    where :math:`f(t) = \text{loss}(\theta + t d)`. ``phi(t)`` evaluates a :class:`_Trial`;
    ``start`` is the trial at t = 0. First the step grows (cubic extrapolation into
    :math:`[t + 0.01 (t - t_{prev}), 10 t]`) until an interval is known to hold an acceptable
    step (Algorithm 3.5), then that interval shrinks by cubic interpolation (Algorithm 3.6),
    a trial too near an end being pushed to 10% inside it on the second such trial in a row.
    At most ``max_ls`` evaluations after the first (LBFGS passes what is left of the step's
    ``max_eval``); the zoom also stops once the interval is narrower than
    ``tolerance_change`` in :math:`\theta` (its width times :math:`\max |d|`).

    Returns the accepted trial and the number of evaluations.
    """
    d_scale = float(np.abs(d).max())
    f0, slope0 = start.f, start.slope
    trial = phi(t)
    evals = 1
    prev = start
    found = False
    ls_iter = 0
    # Algorithm 3.5: grow the step until [lo, hi] brackets an acceptable one
    while ls_iter < max_ls:
        if trial.f > f0 + c1 * trial.t * slope0 or (ls_iter > 1 and trial.f >= prev.f):
            ends = [prev, trial]
            break
        if abs(trial.slope) <= -c2 * slope0:
            ends = [trial]
            found = True
            break
        if trial.slope >= 0:
            ends = [prev, trial]
            break
        lower = trial.t + 0.01 * (trial.t - prev.t)
        upper = trial.t * 10
        t = _cubic_step(prev.t, prev.f, prev.slope, trial.t, trial.f, trial.slope,
                        bounds=(lower, upper))
        prev = trial
        trial = phi(t)
        evals += 1
        ls_iter += 1
    else:
        ends = [start, trial]

    # Algorithm 3.6: shrink the bracket (ends[low] has the lower value)
    nudged = False
    low, high = (0, 1) if len(ends) == 1 or ends[0].f <= ends[-1].f else (1, 0)
    while not found and ls_iter < max_ls:
        a, b = ends
        if abs(b.t - a.t) * d_scale < tolerance_change:
            break
        t = _cubic_step(a.t, a.f, a.slope, b.t, b.f, b.slope)
        left, right = min(a.t, b.t), max(a.t, b.t)
        width = right - left
        if _quotient(min(right - t, t - left), width) < 0.1:
            if nudged or t >= right or t <= left:
                t = right - 0.1 * width if abs(t - right) < abs(t - left) else left + 0.1 * width
                nudged = False
            else:
                nudged = True
        else:
            nudged = False
        trial = phi(t)
        evals += 1
        ls_iter += 1
        if trial.f > f0 + c1 * t * slope0 or trial.f >= ends[low].f:
            ends[high] = trial
        else:
            if abs(trial.slope) <= -c2 * slope0:
                found = True
            elif trial.slope * (ends[high].t - ends[low].t) >= 0:
                ends[high] = ends[low]
            ends[low] = trial
        low, high = (0, 1) if ends[0].f <= ends[1].f else (1, 0)
    return ends[low], evals


class LBFGS(Optimizer):
    r"""Implements L-BFGS.

    .. math::
       \begin{aligned}
         & s_k = \theta_{k+1} - \theta_k, \quad y_k = g_{k+1} - g_k, \quad
           \rho_k = 1 / y_k^\top s_k \ \ (\text{kept only if } y_k^\top s_k > 10^{-10}) \\
         & d = -H g \text{ by the two-loop recursion over the last } m \text{ pairs, with }
           H_0 = \frac{y^\top s}{y^\top y} I \\
         & \theta \leftarrow \theta + t d, \quad t = \gamma \min(1, 1/\|g\|_1) \text{ at the first
           iteration, } \gamma \text{ after (or from the strong-Wolfe line search)}
       \end{aligned}

    Args:
        params (iterable): parameters to optimize (one param group only)
        lr (float, Tensor, optional): :math:`\gamma` (default: 1)
        max_iter (int, optional): iterations per ``step`` (default: 20)
        max_eval (int, optional): function evaluations per ``step``
            (default: max_iter * 1.25)
        tolerance_grad (float, optional): stop when the gradient's max-abs is below
            (default: 1e-7)
        tolerance_change (float, optional): stop when the change in loss or parameters is
            below (default: 1e-9)
        history_size (int, optional): :math:`m` (default: 100)
        line_search_fn (str, optional): ``"strong_wolfe"`` or None (default: None)

    ``step(closure)`` requires the closure; it returns the loss of the first evaluation.
    The function-evaluation and iteration counts are kept in ``state`` as torch keeps them.

    .. note::
        As in torch, the state (iteration count, direction, step and memory) lives in the
        state of the first parameter and carries over from one ``step`` to the next: only the
        very first iteration takes the scaled gradient step :math:`t = \gamma \min(1,
        1/\|g\|_1)`, and ``max_iter``/``max_eval`` count within one ``step``. The strong-Wolfe
        search may spend all evaluations left in ``max_eval``, and it stops zooming at a
        fixed tolerance of 1e-9 whatever ``tolerance_change`` is, as torch's does.

    Example::

        >>> import gradstep as torch
        >>> x = torch.tensor([1., 2.], requires_grad=True)
        >>> optim = torch.optim.LBFGS([x], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     optim.zero_grad()
        ...     loss = ((x - 3) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> optim.step(closure).item()  # the loss before the step
        5.0
        >>> [round(v, 6) for v in x.tolist()]
        [3.0, 3.0]
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _evaluate(self, closure, view):
        """The closure's loss (as a float, taken outside grad mode) and flat gradient."""
        loss = self._run_closure(closure)
        return loss, float(loss), view.grad()

    @_use_grad
    def step(self, closure):
        """Perform a single optimization step (up to ``max_iter`` iterations).

        Args:
            closure (Callable): a closure that reevaluates the model and returns the loss
        """
        group = self.param_groups[0]
        lr = group["lr"]
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search = group["line_search_fn"]

        view = _FlatView(self._params)
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss, loss, g = self._evaluate(closure, view)
        evals = 1
        state["func_evals"] += 1
        if np.abs(g).max() <= tolerance_grad:
            return first_loss

        memory = _CurvatureMemory(state, group["history_size"])
        d, t = _raw(state.get("d")), state.get("t")
        prev_g, prev_loss = _raw(state.get("prev_flat_grad")), state.get("prev_loss")
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -g
                memory.clear()
            else:
                memory.push(d * _raw(t), g - prev_g)
                d = memory.direction(g)
            prev_g, prev_loss = g.copy(), loss

            if state["n_iter"] == 1:
                inv_norm = np.asarray(1.0, g.dtype) / np.abs(g).sum()
                t = 1.0 * lr if inv_norm >= 1.0 else _tensor(inv_norm * _raw(lr))
            else:
                t = lr
            slope = np.dot(g, d)
            if slope > -tolerance_change:
                break

            if line_search is None:
                view.move(_raw(t), d)
                used = 0
                if iteration != max_iter:
                    _, loss, g = self._evaluate(closure, view)
                    used = 1
            elif line_search == "strong_wolfe":
                theta0 = view.values()

                def phi(step):
                    view.assign(_axpy(theta0, step, d))
                    _, f, grad = self._evaluate(closure, view)
                    return _Trial(step, f, grad, np.dot(grad, d))

                start = _Trial(0, loss, g, slope)
                with np.errstate(all="ignore"):
                    # (torch's search keeps its own 1e-9 tolerance, not the group's)
                    best, used = _strong_wolfe(phi, _raw(t), start, d, max_ls=max_eval - evals)
                t, loss, g = best.t, best.f, best.g
                view.assign(_axpy(theta0, t, d))
            else:
                raise RuntimeError("only 'strong_wolfe' is supported")
            evals += used
            state["func_evals"] += used

            if iteration == max_iter or evals >= max_eval:
                break
            if np.abs(g).max() <= tolerance_grad:
                break
            if np.abs(d * _raw(t)).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"] = _tensor(d)
        state["t"] = _tensor(t) if _is_array(t) else t
        memory.save()
        kept = state.get("prev_flat_grad")
        if isinstance(kept, Tensor) and kept._data.shape == prev_g.shape:
            np.copyto(kept._data, prev_g)  # torch updates this one in place
            kept._bump_version()
        else:
            state["prev_flat_grad"] = _tensor(prev_g)
        state["prev_loss"] = prev_loss
        return first_loss
