"""Matrix functions and decompositions (torch.linalg) against torch: values, shapes, dtypes,
grad_fn names, gradients of every input, float64 finite differences, errors and warnings.

Decompositions with a sign freedom (eigh, qr, svd) are compared through quantities that do not
depend on it (eigenvalues, |vectors|, reconstructions), whose gradients are invariant too."""
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import assert_same, compare, gradcheck_fd, make, to_numpy

R = np.random.default_rng(0)


def rand(*shape, dtype=np.float64):
    return R.standard_normal(shape).astype(dtype)


def well(*shape, dtype=np.float64):
    """Square matrices kept away from singular: random plus a multiple of the identity."""
    n = shape[-1]
    return (R.standard_normal(shape) + 2.5 * np.eye(n)).astype(dtype)


def spd(L, a):
    """A symmetric positive-definite matrix built (differentiably) from a."""
    n = a.shape[-1]
    return a @ a.mT + n * L.eye(n, dtype=a.dtype)


def sym(L, a):
    return a + a.mT


def _floats(out):
    if isinstance(out, (tuple, list)):
        return [o for o in out if o.dtype.is_floating_point and o.numel()]
    return [out]


# (id, fn(lib, *tensors), input makers); each runs in float32 and float64 against torch.
CASES = [
    ("det", lambda L, a: L.linalg.det(a), [lambda d: well(3, 3, dtype=d)]),
    ("det batched", lambda L, a: L.linalg.det(a), [lambda d: well(2, 4, 4, dtype=d)]),
    ("det top-level", lambda L, a: L.det(a), [lambda d: well(3, 3, dtype=d)]),
    ("det method", lambda L, a: a.det(), [lambda d: well(2, 2, dtype=d)]),
    ("slogdet", lambda L, a: tuple(L.linalg.slogdet(a)), [lambda d: rand(2, 3, 3, dtype=d)]),
    ("slogdet top", lambda L, a: tuple(L.slogdet(a)), [lambda d: well(3, 3, dtype=d)]),
    ("logdet", lambda L, a: L.logdet(spd(L, a)), [lambda d: rand(2, 3, 3, dtype=d)]),
    ("logdet method", lambda L, a: spd(L, a).logdet(), [lambda d: rand(3, 3, dtype=d)]),
    ("inv", lambda L, a: L.linalg.inv(a), [lambda d: well(3, 3, dtype=d)]),
    ("inv batched", lambda L, a: L.linalg.inv(a), [lambda d: well(2, 2, 4, 4, dtype=d)]),
    ("inverse", lambda L, a: L.inverse(a), [lambda d: well(3, 3, dtype=d)]),
    ("inverse method", lambda L, a: a.inverse(), [lambda d: well(3, 3, dtype=d)]),
    ("inv_ex", lambda L, a: L.linalg.inv_ex(a).inverse, [lambda d: well(3, 3, dtype=d)]),
    ("solve", lambda L, a, b: L.linalg.solve(a, b),
     [lambda d: well(3, 3, dtype=d), lambda d: rand(3, 2, dtype=d)]),
    ("solve vector", lambda L, a, b: L.linalg.solve(a, b),
     [lambda d: well(3, 3, dtype=d), lambda d: rand(3, dtype=d)]),
    ("solve batch vector", lambda L, a, b: L.linalg.solve(a, b),
     [lambda d: well(2, 3, 3, dtype=d), lambda d: rand(2, 3, dtype=d)]),
    ("solve broadcast", lambda L, a, b: L.linalg.solve(a, b),
     [lambda d: well(3, 3, dtype=d), lambda d: rand(2, 3, 4, dtype=d)]),
    ("solve broadcast A", lambda L, a, b: L.linalg.solve(a, b),
     [lambda d: well(2, 1, 3, 3, dtype=d), lambda d: rand(3, 3, 2, dtype=d)]),
    ("solve left=False", lambda L, a, b: L.linalg.solve(a, b, left=False),
     [lambda d: well(3, 3, dtype=d), lambda d: rand(2, 3, dtype=d)]),
    ("solve_ex", lambda L, a, b: L.linalg.solve_ex(a, b).result,
     [lambda d: well(3, 3, dtype=d), lambda d: rand(3, 2, dtype=d)]),
    ("cholesky", lambda L, a: L.linalg.cholesky(spd(L, a)), [lambda d: rand(3, 3, dtype=d)]),
    ("cholesky batched", lambda L, a: L.linalg.cholesky(spd(L, a)),
     [lambda d: rand(2, 4, 4, dtype=d)]),
    ("cholesky upper", lambda L, a: L.linalg.cholesky(spd(L, a), upper=True),
     [lambda d: rand(3, 3, dtype=d)]),
    ("cholesky_ex", lambda L, a: L.linalg.cholesky_ex(spd(L, a)).L, [lambda d: rand(3, 3, dtype=d)]),
    ("cholesky lower only", lambda L, a: L.linalg.cholesky(spd(L, a) + L.triu(a, 1)),
     [lambda d: rand(3, 3, dtype=d)]),
    ("eigh values", lambda L, a: L.linalg.eigh(sym(L, a)).eigenvalues, [lambda d: rand(4, 4, dtype=d)]),
    ("eigh |vectors|", lambda L, a: tuple(x.abs() if i else x
                                          for i, x in enumerate(L.linalg.eigh(sym(L, a)))),
     [lambda d: rand(2, 3, 3, dtype=d)]),
    ("eigh raw input", lambda L, a: L.linalg.eigh(a).eigenvectors.abs(), [lambda d: rand(3, 3, dtype=d)]),
    ("eigh UPLO=U", lambda L, a: tuple(x.abs() for x in L.linalg.eigh(a, UPLO="U")),
     [lambda d: rand(3, 3, dtype=d)]),
    ("eigh reconstruct", lambda L, a: (lambda w, v: v @ L.diag_embed(w) @ v.mT)(
        *L.linalg.eigh(sym(L, a))), [lambda d: rand(3, 3, dtype=d)]),
    ("eigvalsh", lambda L, a: L.linalg.eigvalsh(sym(L, a)), [lambda d: rand(2, 4, 4, dtype=d)]),
    ("qr", lambda L, a: tuple(L.linalg.qr(a)), [lambda d: rand(4, 3, dtype=d)]),
    ("qr square batched", lambda L, a: tuple(L.linalg.qr(a)), [lambda d: rand(2, 3, 3, dtype=d)]),
    ("qr wide", lambda L, a: tuple(L.linalg.qr(a)), [lambda d: rand(2, 4, dtype=d)]),
    ("qr complete wide", lambda L, a: tuple(L.linalg.qr(a, mode="complete")),
     [lambda d: rand(2, 3, dtype=d)]),
    ("qr top-level", lambda L, a: tuple(L.qr(a)), [lambda d: rand(4, 2, dtype=d)]),
    ("svd S", lambda L, a: L.linalg.svd(a).S, [lambda d: rand(4, 3, dtype=d)]),
    ("svd |U| |Vh|", lambda L, a: tuple(x.abs() if x.ndim > 1 else x
                                        for x in L.linalg.svd(a, full_matrices=False)),
     [lambda d: rand(2, 4, 3, dtype=d)]),
    ("svd wide", lambda L, a: tuple(x.abs() if x.ndim > 1 else x
                                    for x in L.linalg.svd(a, full_matrices=False)),
     [lambda d: rand(3, 5, dtype=d)]),
    ("svd reconstruct", lambda L, a: (lambda u, s, vh: (u * s.unsqueeze(-2)) @ vh)(
        *L.linalg.svd(a, full_matrices=False)), [lambda d: rand(3, 3, dtype=d)]),
    ("svd U full", lambda L, a: L.linalg.svd(a)[0][..., :2].abs(), [lambda d: rand(4, 2, dtype=d)]),
    ("svd old", lambda L, a: tuple(x.abs() for x in L.svd(a)), [lambda d: rand(4, 3, dtype=d)]),
    ("svd method", lambda L, a: a.svd().S, [lambda d: rand(3, 4, dtype=d)]),
    ("pinv", lambda L, a: L.linalg.pinv(a), [lambda d: rand(4, 3, dtype=d)]),
    ("pinv wide batched", lambda L, a: L.linalg.pinv(a), [lambda d: rand(2, 2, 4, dtype=d)]),
    ("pinv hermitian", lambda L, a: L.linalg.pinv(spd(L, a), hermitian=True),
     [lambda d: rand(3, 3, dtype=d)]),
    ("pinverse", lambda L, a: L.pinverse(a), [lambda d: rand(3, 2, dtype=d)]),
    ("pinverse method", lambda L, a: a.pinverse(), [lambda d: rand(3, 3, dtype=d)]),
    ("matrix_power 3", lambda L, a: L.linalg.matrix_power(a, 3), [lambda d: rand(3, 3, dtype=d)]),
    ("matrix_power 5 batched", lambda L, a: L.linalg.matrix_power(a, 5),
     [lambda d: rand(2, 3, 3, dtype=d)]),
    ("matrix_power 0", lambda L, a: L.linalg.matrix_power(a, 0), [lambda d: rand(3, 3, dtype=d)]),
    ("matrix_power 1", lambda L, a: L.linalg.matrix_power(a, 1), [lambda d: rand(3, 3, dtype=d)]),
    ("matrix_power -2", lambda L, a: L.matrix_power(a, -2), [lambda d: well(3, 3, dtype=d)]),
    ("matrix_power method", lambda L, a: a.matrix_power(4), [lambda d: rand(2, 2, dtype=d)]),
    ("matrix_exp", lambda L, a: L.linalg.matrix_exp(a), [lambda d: rand(3, 3, dtype=d)]),
    ("matrix_exp big", lambda L, a: L.linalg.matrix_exp(3 * a), [lambda d: rand(2, 4, 4, dtype=d)]),
    ("matrix_exp top", lambda L, a: L.matrix_exp(a), [lambda d: rand(2, 2, dtype=d)]),
    ("matrix_exp method", lambda L, a: a.matrix_exp(), [lambda d: rand(1, 1, dtype=d)]),
    ("lstsq square", lambda L, a, b: L.linalg.lstsq(a, b).solution,
     [lambda d: well(3, 3, dtype=d), lambda d: rand(3, 2, dtype=d)]),
    ("lstsq tall", lambda L, a, b: L.linalg.lstsq(a, b).solution,
     [lambda d: rand(5, 3, dtype=d), lambda d: rand(5, 2, dtype=d)]),
    ("lstsq wide", lambda L, a, b: L.linalg.lstsq(a, b).solution,
     [lambda d: rand(2, 4, dtype=d), lambda d: rand(2, 3, dtype=d)]),
    ("lstsq batched", lambda L, a, b: L.linalg.lstsq(a, b).solution,
     [lambda d: rand(2, 4, 3, dtype=d), lambda d: rand(2, 4, 2, dtype=d)]),
    ("lstsq gelsd", lambda L, a, b: tuple(L.linalg.lstsq(a, b, driver="gelsd"))[:2],
     [lambda d: rand(5, 3, dtype=d), lambda d: rand(5, 2, dtype=d)]),
    ("solve_triangular upper", lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True),
     [lambda d: well(3, 3, dtype=d), lambda d: rand(3, 2, dtype=d)]),
    ("solve_triangular lower", lambda L, a, b: L.linalg.solve_triangular(a, b, upper=False),
     [lambda d: well(2, 3, 3, dtype=d), lambda d: rand(2, 3, 4, dtype=d)]),
    ("solve_triangular right unit",
     lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True, left=False, unitriangular=True),
     [lambda d: rand(3, 3, dtype=d), lambda d: rand(2, 3, dtype=d)]),
    ("solve_triangular broadcast", lambda L, a, b: L.linalg.solve_triangular(a, b, upper=False),
     [lambda d: well(3, 3, dtype=d), lambda d: rand(2, 3, 1, dtype=d)]),
    ("cross", lambda L, a, b: L.linalg.cross(a, b), [lambda d: rand(4, 3, dtype=d),
                                                     lambda d: rand(4, 3, dtype=d)]),
    ("cross dim", lambda L, a, b: L.linalg.cross(a, b, dim=0),
     [lambda d: rand(3, 2, dtype=d), lambda d: rand(3, 1, dtype=d)]),
    ("vecdot", lambda L, a, b: L.linalg.vecdot(a, b), [lambda d: rand(4, 3, dtype=d),
                                                       lambda d: rand(3, dtype=d)]),
    ("vecdot dim", lambda L, a, b: L.linalg.vecdot(a, b, dim=0),
     [lambda d: rand(4, 3, dtype=d), lambda d: rand(4, 3, dtype=d)]),
    ("cond", lambda L, a: L.linalg.cond(a), [lambda d: well(3, 3, dtype=d)]),
    ("det empty", lambda L, a: L.linalg.det(a), [lambda d: rand(2, 0, 0, dtype=d)]),
    ("inv empty", lambda L, a: L.linalg.inv(a), [lambda d: rand(0, 3, 3, dtype=d)]),
]

TOLS = {np.float32: dict(rtol=1e-4, atol=1e-4, grad_rtol=2e-3, grad_atol=2e-3),
        np.float64: dict(rtol=1e-9, atol=1e-9, grad_rtol=1e-7, grad_atol=1e-7)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name,fn,makers", CASES, ids=[c[0] for c in CASES])
def test_forward_backward_matches_torch(name, fn, makers, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(fn, *[m(dtype) for m in makers], **TOLS[dtype])


# torch's eigh and cholesky gradients are symmetric (directions along symmetric matrices): on a
# raw input they are not the derivative of the one triangle read, so those are left out here
FD = [c for c in CASES if not any(k in c[0] for k in ("empty", "power 0", "raw", "UPLO",
                                                       "lower only"))]


def _single(fn):
    def single(L, *xs):
        out = _floats(fn(L, *xs))
        return L.cat([o.reshape(-1) for o in out])
    return single


@pytest.mark.parametrize("name,fn,makers", FD, ids=[c[0] for c in FD])
def test_gradcheck_fd(name, fn, makers):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck_fd(_single(fn), *[m(np.float64) for m in makers], rtol=1e-5, atol=1e-6)


GRAD_FN = [
    (lambda L, a: L.linalg.det(a), "LinalgDetBackward0"),
    (lambda L, a: L.linalg.slogdet(a).sign, "LinalgSlogdetBackward0"),
    (lambda L, a: L.linalg.slogdet(a).logabsdet, "LinalgSlogdetBackward0"),
    (lambda L, a: L.logdet(a), "WhereBackward0"),
    (lambda L, a: L.linalg.inv(a), "LinalgInvExBackward0"),
    (lambda L, a: L.linalg.solve(a, a), "LinalgSolveExBackward0"),
    (lambda L, a: L.linalg.cholesky(spd(L, a)), "LinalgCholeskyExBackward0"),
    (lambda L, a: L.cholesky(spd(L, a)), "CholeskyBackward0"),
    (lambda L, a: L.linalg.eigh(a).eigenvectors, "LinalgEighBackward0"),
    (lambda L, a: L.linalg.eigvalsh(a), "LinalgEighBackward0"),
    (lambda L, a: L.linalg.qr(a).Q, "LinalgQrBackward0"),
    (lambda L, a: L.linalg.svd(a).Vh, "LinalgSvdBackward0"),
    (lambda L, a: L.svd(a).V, "TransposeBackward0"),
    (lambda L, a: L.linalg.pinv(a), "LinalgPinvBackward0"),
    (lambda L, a: L.linalg.matrix_power(a, 3), "MmBackward0"),
    (lambda L, a: L.linalg.matrix_power(a, 1), "CloneBackward0"),
    (lambda L, a: L.linalg.matrix_power(a, -1), "LinalgInvExBackward0"),
    (lambda L, a: L.linalg.matrix_power(a, 0), "torch::autograd::CopyBackwards"),
    (lambda L, a: L.linalg.matrix_exp(a), "LinalgMatrixExpBackward0"),
    (lambda L, a: L.linalg.lstsq(a, a).solution, "LinalgLstsqBackward0"),
    (lambda L, a: L.linalg.lstsq(a, a).residuals, "LinalgLstsqBackward0"),
    (lambda L, a: L.linalg.solve_triangular(a, a, upper=True),
     "LinalgSolveTriangularBackward0"),
    (lambda L, a: L.linalg.cross(a, a), "LinalgCrossBackward0"),
    (lambda L, a: L.linalg.vecdot(a, a), "SumBackward1"),
]


@pytest.mark.parametrize("case", range(len(GRAD_FN)))
def test_grad_fn_names(case):
    fn, expected = GRAD_FN[case]
    a = well(3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = fn(gradstep, make(gradstep, a))
        t = fn(torch, make(torch, a))
    assert t.grad_fn.name() == expected
    assert g.grad_fn.name() == expected


SINGULAR = np.array([[1., 2., 3.], [2., 4., 6.], [1., 0., 1.]])
NOT_PD = -np.eye(3)
ERRORS = [
    (lambda L: L.linalg.inv(L.tensor(SINGULAR)),),
    (lambda L: L.linalg.inv(L.tensor(np.stack([np.eye(3), SINGULAR]))),),
    (lambda L: L.inverse(L.zeros(2, 2)),),
    (lambda L: L.linalg.inv_ex(L.zeros(2, 2), check_errors=True),),
    (lambda L: L.linalg.inv(L.ones(2, 3)),),
    (lambda L: L.linalg.inv(L.ones(3)),),
    (lambda L: L.linalg.inv(L.ones(3, 3, dtype=L.long)),),
    (lambda L: L.linalg.det(L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.det(L.ones(2, 3)),),
    (lambda L: L.linalg.slogdet(L.ones(2, 3)),),
    (lambda L: L.logdet(L.ones(2, 3)),),
    (lambda L: L.linalg.solve(L.tensor(SINGULAR), L.ones(3, 1, dtype=L.float64)),),
    (lambda L: L.linalg.solve(L.ones(2, 3), L.ones(2, 1)),),
    (lambda L: L.linalg.solve(L.eye(3), L.ones(4, 2)),),
    (lambda L: L.linalg.solve(L.eye(3), L.ones(2, 3)),),
    (lambda L: L.linalg.solve(L.eye(3), L.ones(3, 2, dtype=L.float64)),),
    (lambda L: L.linalg.solve(L.eye(3, dtype=L.long), L.ones(3, 2, dtype=L.long)),),
    (lambda L: L.linalg.cholesky(L.tensor(NOT_PD)),),
    (lambda L: L.linalg.cholesky(L.tensor(np.stack([np.eye(3), np.diag([1., 1., -1.])]))),),
    (lambda L: L.linalg.cholesky(L.ones(2, 3)),),
    (lambda L: L.linalg.cholesky(L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.eigh(L.ones(2, 3)),),
    (lambda L: L.linalg.eigh(L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.eigvalsh(L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.eigh(L.ones(2, 2), UPLO="X"),),
    (lambda L: L.linalg.qr(L.ones(2, 2), mode="x"),),
    (lambda L: L.linalg.qr(L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.qr(L.ones(2)),),
    (lambda L: L.linalg.svd(L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.svd(L.full((2, 2), float("nan"))),),
    (lambda L: L.linalg.pinv(L.ones(3, 3, dtype=L.long)),),
    (lambda L: L.linalg.matrix_power(L.ones(2, 3), 2),),
    (lambda L: L.linalg.matrix_power(L.ones(2, 2), 2.0),),
    (lambda L: L.linalg.matrix_power(L.ones(2, 2, dtype=L.long), -2),),
    (lambda L: L.linalg.matrix_power(L.zeros(2, 2), -2),),
    (lambda L: L.linalg.matrix_exp(L.ones(2, 3)),),
    (lambda L: L.linalg.matrix_exp(L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.matrix_rank(L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.lstsq(L.ones(2, 2, dtype=L.long), L.ones(2, 2, dtype=L.long)),),
    (lambda L: L.linalg.lstsq(L.ones(3, 3), L.ones(4, 2)),),
    (lambda L: L.linalg.lstsq(L.ones(3, 3), L.ones(3, 2), driver="foo"),),
    (lambda L: L.linalg.lstsq(L.ones(3, 3), L.ones(2, 3, 2)),),
    (lambda L: L.linalg.cross(L.ones(4), L.ones(4)),),
    (lambda L: L.linalg.solve_triangular(L.eye(3), L.eye(3)),),
    (lambda L: L.linalg.solve_triangular(L.eye(3), L.ones(3), upper=True),),
    (lambda L: L.linalg.solve_triangular(L.eye(3, dtype=L.long), L.eye(3, dtype=L.long),
                                         upper=True),),
    (lambda L: L.linalg.vecdot(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),),
    (lambda L: L.linalg.vecdot(L.ones(3), L.ones(3, dtype=L.float64)),),
    (lambda L: L.lstsq(L.ones(2, 2), L.ones(2, 2)),),
    (lambda L: L.symeig(L.ones(2, 2)),),
    (lambda L: L.eig(L.ones(2, 2)),),
    (lambda L: L.matrix_rank(L.ones(2, 2)),),
]


def _outcome(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None, None


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case):
    fn, = ERRORS[case]
    t_type, t_msg = _outcome(fn, torch)
    g_type, g_msg = _outcome(fn, gradstep)
    assert t_type is not None
    assert g_msg == t_msg
    if issubclass(t_type, torch.linalg.LinAlgError):
        assert g_type is gradstep.linalg.LinAlgError
    else:
        assert g_type.__name__ == t_type.__name__


BACKWARD_ERRORS = [
    lambda L, a: L.linalg.qr(a, mode="r").R,
    lambda L, a: L.linalg.qr(a, mode="complete").Q,
]


@pytest.mark.parametrize("case", range(len(BACKWARD_ERRORS)))
def test_backward_errors_match_torch(case):
    fn = BACKWARD_ERRORS[case]
    a = rand(4, 2)
    msgs = []
    for lib in (torch, gradstep):
        with pytest.raises(RuntimeError) as info:
            fn(lib, make(lib, a)).sum().backward()
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


EX = [
    (lambda L, a: L.linalg.inv_ex(a), well(3, 3)),
    (lambda L, a: L.linalg.inv_ex(a), np.stack([np.eye(2), np.zeros((2, 2))])),
    (lambda L, a: L.linalg.solve_ex(a, a), np.zeros((3, 3))),
    (lambda L, a: L.linalg.cholesky_ex(a), np.stack([np.eye(3), np.diag([1., 2., -1.])])),
    (lambda L, a: L.linalg.cholesky_ex(a), np.diag([-1., 2., 3.])),
]


@pytest.mark.parametrize("case", range(len(EX)))
def test_ex_info(case):
    fn, a = EX[case]
    g, t = fn(gradstep, gradstep.tensor(a)), fn(torch, torch.tensor(a))
    assert type(g).__name__ == type(t).__name__ and g._fields == type(t).__match_args__
    assert_same(g[1], t[1], what="info")
    if not t[1].any():
        assert_same(g[0], t[0])


def test_cholesky_ex_partial_factor():
    a = np.array([[4., 2., 1.], [2., 1., 0.], [1., 0., 3.]])
    g, t = gradstep.linalg.cholesky_ex(gradstep.tensor(a)), torch.linalg.cholesky_ex(
        torch.tensor(a))
    assert_same(g.info, t.info)
    np.testing.assert_allclose(to_numpy(g.L), to_numpy(t.L), atol=1e-12)


@pytest.mark.parametrize("name", ["linalg_slogdet", "linalg_eigh", "linalg_qr", "linalg_svd",
                                  "svd", "qr", "linalg_lstsq", "slogdet"])
def test_return_types(name):
    g, t = getattr(gradstep.return_types, name), getattr(torch.return_types, name)
    assert g.__name__ == t.__name__
    assert tuple(g._fields) == t.__match_args__


def test_named_tuple_repr():
    a = np.array([[2., 0.], [0., 1.]])
    assert repr(gradstep.linalg.eigh(gradstep.tensor(a))) == repr(torch.linalg.eigh(
        torch.tensor(a)))
    assert repr(gradstep.linalg.slogdet(gradstep.tensor(a))) == repr(torch.linalg.slogdet(
        torch.tensor(a)))


LSTSQ = [
    ((5, 3), (5, 2), "gelsy"), ((5, 3), (5, 2), "gelsd"), ((5, 3), (5, 2), "gelss"),
    ((3, 5), (3, 2), "gelsd"), ((2, 5, 3), (2, 5), None), ((5, 3), (5,), "gelsd"),
]


@pytest.mark.parametrize("sa,sb,driver", LSTSQ)
def test_lstsq_fields(sa, sb, driver):
    a, b = rand(*sa), rand(*sb)
    g = gradstep.linalg.lstsq(gradstep.tensor(a), gradstep.tensor(b), driver=driver)
    t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for f in ("solution", "residuals", "rank", "singular_values"):
        assert_same(getattr(g, f), getattr(t, f), rtol=1e-9, atol=1e-9, what=f)


def test_lstsq_rank_deficient():
    a = np.array([[1., 2.], [2., 4.], [3., 6.]])
    b = rand(3, 2)
    g = gradstep.linalg.lstsq(gradstep.tensor(a), gradstep.tensor(b), driver="gelsd")
    t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver="gelsd")
    for f in ("solution", "residuals", "rank", "singular_values"):
        assert_same(getattr(g, f), getattr(t, f), rtol=1e-9, atol=1e-9, what=f)


@pytest.mark.parametrize("sb", [(5, 2), (5,), (5, 1)])
def test_lstsq_residuals_gradient(sb):
    compare(lambda L, a, b: L.linalg.lstsq(a, b, driver="gelsd").residuals, rand(5, 3),
            rand(*sb), rtol=1e-9, grad_rtol=1e-7, grad_atol=1e-9)
    gradcheck_fd(lambda L, a, b: L.linalg.lstsq(a, b, driver="gelsd").residuals, rand(5, 3),
                 rand(*sb))


RANK = [
    (lambda L, a: L.linalg.matrix_rank(a), np.array([[1., 2.], [2., 4.]])),
    (lambda L, a: L.linalg.matrix_rank(a), rand(2, 3, 4)),
    (lambda L, a: L.linalg.matrix_rank(a, hermitian=True), np.diag([1., 0., -2.])),
    (lambda L, a: L.linalg.matrix_rank(a, atol=1.5), np.diag([1., 2., 3.])),
    (lambda L, a: L.linalg.matrix_rank(a, rtol=0.5), np.diag([1., 2., 3.])),
    (lambda L, a: L.linalg.matrix_rank(a, tol=0.5), np.diag([1., 0.2, 3.])),
    (lambda L, a: L.linalg.pinv(a, atol=1.5), np.diag([1., 2., 3.])),
    (lambda L, a: L.linalg.pinv(a, rtol=0.5), np.diag([1., 2., 3.])),
    (lambda L, a: L.linalg.pinv(a, hermitian=True), np.diag([1., 0., -2.])),
    (lambda L, a: L.pinverse(a, rcond=0.5), np.diag([1., 2., 3.])),
]


@pytest.mark.parametrize("case", range(len(RANK)))
def test_rank_and_tolerances(case):
    fn, a = RANK[case]
    compare(fn, a, requires_grad=False, backward=False)


SINGULAR_DET = [SINGULAR, np.diag([2., 3., 0.]), np.zeros((3, 3)), np.array([[0., 1.], [0., 0.]])]


@pytest.mark.parametrize("case", range(len(SINGULAR_DET)))
def test_det_gradient_at_singular_matrices(case):
    compare(lambda L, a: L.linalg.det(a), SINGULAR_DET[case])


SECOND = [
    ("det", lambda L, a: L.linalg.det(a), lambda d: well(3, 3, dtype=d)),
    ("inv", lambda L, a: L.linalg.inv(a), lambda d: well(3, 3, dtype=d)),
    ("solve", lambda L, a: L.linalg.solve(a, a.sin()), lambda d: well(3, 3, dtype=d)),
    ("slogdet", lambda L, a: L.linalg.slogdet(a).logabsdet, lambda d: well(3, 3, dtype=d)),
    ("cholesky", lambda L, a: L.linalg.cholesky(spd(L, a)), lambda d: rand(3, 3, dtype=d)),
    ("eigh", lambda L, a: L.linalg.eigh(sym(L, a)).eigenvectors.abs(), lambda d: rand(3, 3, dtype=d)),
    ("eigvalsh", lambda L, a: L.linalg.eigvalsh(sym(L, a)), lambda d: rand(3, 3, dtype=d)),
    ("svd", lambda L, a: L.linalg.svd(a, full_matrices=False).U.abs(), lambda d: rand(3, 3, dtype=d)),
    ("qr", lambda L, a: L.linalg.qr(a).R.abs(), lambda d: rand(4, 3, dtype=d)),
    ("pinv", lambda L, a: L.linalg.pinv(a), lambda d: rand(4, 3, dtype=d)),
    ("matrix_exp", lambda L, a: L.linalg.matrix_exp(a), lambda d: rand(3, 3, dtype=d)),
    ("solve_triangular", lambda L, a: L.linalg.solve_triangular(a, a.cos(), upper=True),
     lambda d: well(3, 3, dtype=d)),
]


@pytest.mark.parametrize("name,fn,maker", SECOND, ids=[s[0] for s in SECOND])
def test_double_backward(name, fn, maker):
    a = maker(np.float64)
    seed = rand(*fn(torch, torch.tensor(a)).shape)
    results = []
    for lib in (torch, gradstep):
        x = make(lib, a)
        out = fn(lib, x)
        g, = lib.autograd.grad((out * lib.tensor(seed)).sum(), x, create_graph=True)
        (g * g).sum().backward()
        results.append((g, x.grad))
    assert_same(results[1][0], results[0][0], rtol=1e-8, atol=1e-9)
    assert_same(results[1][1], results[0][1], rtol=1e-6, atol=1e-8)


DEPRECATED = [
    lambda L: L.cholesky(L.eye(2)),
    lambda L: L.qr(L.eye(2)),
    lambda L: L.triangular_solve(L.ones(2, 1), L.eye(2)),
]


@pytest.mark.parametrize("case", range(len(DEPRECATED)))
def test_deprecation_warnings(case, monkeypatch):
    from gradstep import _from_data
    monkeypatch.setattr(_from_data, "_warned", set())  # gradstep's once-per-process record
    fn = DEPRECATED[case]
    msgs = []
    for lib in (torch, gradstep):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fn(lib)
        msgs.append([str(x.message) for x in w])
    assert msgs[1] == msgs[0][:1] or msgs[0] == []  # torch warns once per process


OLD_API = [
    lambda L, a: tuple(L.svd(a, some=False)),
    lambda L, a: tuple(L.svd(a, compute_uv=False)),
    lambda L, a: tuple(a.qr(some=False)),
    lambda L, a: a.cholesky(upper=True) if a.shape[-1] == a.shape[-2] else a.sum(),
    lambda L, a: tuple(L.triangular_solve(a[..., :, :1], a[..., :3, :3] + 3 * L.eye(3,
                                                                                      dtype=a.dtype))),
    lambda L, a: tuple(L.triangular_solve(a[..., :, :1], a[..., :3, :3] + 3 * L.eye(3, dtype=a.dtype),
                                          upper=False, transpose=True)),
]


@pytest.mark.parametrize("case", range(len(OLD_API)))
def test_old_api_shapes(case):
    a = np.abs(rand(3, 3)) + 3 * np.eye(3)
    a = a @ a.T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = OLD_API[case](gradstep, make(gradstep, a, False))
        t = OLD_API[case](torch, make(torch, a, False))
    if isinstance(t, tuple):
        for x, y in zip(g, t):
            assert tuple(x.shape) == tuple(y.shape) and str(x.dtype) == str(y.dtype)
            if case in (1, 4, 5):
                np.testing.assert_allclose(to_numpy(x), to_numpy(y), atol=1e-10)
    else:
        assert_same(g, t)


def test_lu_factor():
    a = rand(2, 4, 4)
    g = gradstep.linalg.lu_factor(gradstep.tensor(a))
    t = torch.linalg.lu_factor(torch.tensor(a))
    assert_same(g.LU, t.LU, rtol=1e-10, atol=1e-12)
    assert_same(g.pivots, t.pivots)


def test_float32_stays_float32():
    a = well(3, 3, dtype=np.float32)
    for fn in (gradstep.linalg.inv, gradstep.linalg.det, gradstep.linalg.matrix_exp,
               gradstep.linalg.pinv, lambda x: gradstep.linalg.svd(x).U,
               lambda x: gradstep.linalg.eigh(x).eigenvectors):
        assert fn(gradstep.tensor(a)).dtype == gradstep.float32


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cholesky_upper_reads_the_upper_triangle_as_torch(dtype):
    # a non-symmetric input: torch's upper=True factors the matrix its upper triangle stands for
    a = [[2., 0.5, 1.], [0., 2., 0.3], [0., 0., 2.]]
    outs = []
    for lib in (torch, gradstep):
        x = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
        u = lib.linalg.cholesky(x, upper=True)
        u.sum().backward()
        outs.append((u.detach().numpy(), lib.linalg.cholesky_ex(x.detach(), upper=True).L.numpy()))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-6)
    np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-6)


# ----- edge cases found by the differential fuzzer: singular, empty, non-finite inputs -----

def _edge_outcome(fn, lib):
    try:
        r = fn(lib)
    except Exception as e:  # noqa: BLE001 - the error itself is what is compared
        return ("error", str(e))
    rs = r if isinstance(r, tuple) else (r,)
    return ("value", [np.asarray(to_numpy(x), dtype=np.float64) for x in rs])


def _same_edge_outcome(fn, rtol=1e-6):
    g, t = _edge_outcome(fn, gradstep), _edge_outcome(fn, torch)
    assert g[0] == t[0], (g, t)
    if g[0] == "error":
        assert g[1] == t[1]
    else:
        for a, b in zip(g[1], t[1]):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12, equal_nan=True)


_SINGULAR = [[[1., 2, 3], [2, 4, 6], [1, 0, 1]], [[1., 2], [2, 4]], [[0., 0], [0, 0]],
             [[0., 1], [0, 0]], [[[1., 2], [2, 4]], [[2., 1], [1, 3]]]]


@pytest.mark.parametrize("m", _SINGULAR)
@pytest.mark.parametrize("which", ["slogdet", "logdet"])
def test_logdet_backward_singular_gives_inf_nan(m, which):
    def fn(L):
        a = L.tensor(m, dtype=L.float64, requires_grad=True)
        out = L.linalg.slogdet(a)[1] if which == "slogdet" else L.logdet(a)
        out.sum().backward()
        return a.grad
    _same_edge_outcome(fn)


@pytest.mark.parametrize("m", _SINGULAR + [[[1., float("nan")], [0, 1]],
                                           [[1., float("inf")], [0, 1]], [[2., 1], [1, 3]]])
@pytest.mark.parametrize("p", ["fro", 1, -1, float("inf"), -float("inf")])
def test_cond_singular_and_nonfinite_is_inf(m, p):
    _same_edge_outcome(lambda L: L.linalg.cond(L.tensor(m, dtype=L.float64), p))


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (0, 3, 3), (2, 3), (0, 2)])
@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, float("inf"), 3, 1.0, "abc", 0])
def test_cond_empty_nonsquare_and_invalid_orders(shape, p):
    _same_edge_outcome(lambda L: L.linalg.cond(L.zeros(shape, dtype=L.float64), p))


@pytest.mark.parametrize("upper,left,bshape", [(True, True, (3, 2)), (False, True, (3, 2)),
                                               (True, False, (2, 3)), (True, True, (2, 3, 2))])
def test_solve_triangular_zero_diagonal(upper, left, bshape):
    _same_edge_outcome(lambda L: L.linalg.solve_triangular(L.zeros(3, 3), L.ones(bshape), upper=upper,
                                                      left=left))


@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (3, 4), (4, 3), (2, 2, 3), (1, 3), (3, 1),
                                   (0, 3), (3, 0)])
@pytest.mark.parametrize("kind", ["ones", "rand"])
def test_lu_factor_shapes(shape, kind):
    x = np.ones(shape) if kind == "ones" else rand(*shape)
    _same_edge_outcome(lambda L: L.linalg.lu_factor(L.tensor(x)), rtol=1e-10)


@pytest.mark.parametrize("m", _SINGULAR)
def test_lu_factor_singular_raises(m):
    _same_edge_outcome(lambda L: L.linalg.lu_factor(L.tensor(m)))


@pytest.mark.parametrize("fn", [
    lambda L, a: L.linalg.pinv(a),
    lambda L, a: L.linalg.matrix_rank(a),
])
@pytest.mark.parametrize("m", [[[1., float("nan")], [0, 1]],
                               [[[1., 0], [0, 1]], [[float("nan"), 0], [0, 1]]]])
def test_svd_based_nan_message(fn, m):
    _same_edge_outcome(lambda L: fn(L, L.tensor(m)))


@pytest.mark.parametrize("fn", [
    lambda L: L.linalg.matrix_rank(L.ones(2, 3), hermitian=True),
    lambda L: L.linalg.pinv(L.ones(4, 2, 3), hermitian=True),
    lambda L: L.linalg.solve(L.ones(3, 3), L.ones(2)),
    lambda L: L.linalg.solve(L.ones(3, 3), L.ones(2, 3)),
    lambda L: L.linalg.solve(L.ones(3, 3), L.ones(3, 2), left=False),
    lambda L: L.linalg.solve(L.ones(3, 3), L.ones(())),
    lambda L: L.linalg.vecdot(L.ones(3), L.ones(4)),
    lambda L: L.linalg.vecdot(L.ones(2, 3), L.ones(4, 3)),
    lambda L: L.cross(L.ones(4, 3), L.ones(3), dim=-1),
    lambda L: L.cross(L.ones(3, 4), L.ones(4), dim=0),
    lambda L: L.linalg.cross(L.ones(4, 3), L.ones(3)),
    lambda L: L.cross(L.ones(3, 4), L.ones(3, 1), dim=0),
])
def test_linalg_edge_messages(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_edge_outcome(fn)


INF_MATRICES = {
    "svdvals": lambda L, a: L.linalg.svdvals(a),
    "cond": lambda L, a: L.linalg.cond(a),
    "nuclear norm": lambda L, a: L.linalg.matrix_norm(a, "nuc"),
    "spectral norm": lambda L, a: L.linalg.matrix_norm(a, 2),
}


@pytest.mark.parametrize("name", INF_MATRICES)
def test_matrices_holding_inf_give_nan_as_torch(name):
    # torch's LAPACK returns NaN on a matrix holding inf (and fails on NaN)
    outs = []
    for lib in (torch, gradstep):
        a = lib.stack([lib.tensor([[2., 1.], [0., 1.]]),
                       lib.tensor([[float("inf"), 1.], [0., 1.]])])
        outs.append(INF_MATRICES[name](lib, a).numpy())
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)
