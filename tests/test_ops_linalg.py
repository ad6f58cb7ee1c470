"""Matrix products against torch: values, dtypes, gradients, grad_fn names and error messages."""
import re

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd, make, to_numpy

R = np.random.default_rng(0)


def rand(*shape, dtype=np.float32):
    return R.standard_normal(shape).astype(dtype)


def ints(*shape):
    return R.integers(-5, 5, shape).astype(np.int64)


# (id, fn(lib, *tensors), input shapes); every case runs forward and backward against torch.
CASES = [
    ("dot", lambda L, a, b: a @ b, [(3,), (3,)]),
    ("mm", lambda L, a, b: a @ b, [(2, 3), (3, 4)]),
    ("mv", lambda L, a, b: a @ b, [(2, 3), (3,)]),
    ("vecmat", lambda L, a, b: a @ b, [(3,), (3, 4)]),
    ("3d@2d", lambda L, a, b: a @ b, [(5, 2, 3), (3, 4)]),
    ("2d@3d", lambda L, a, b: a @ b, [(2, 3), (5, 3, 4)]),
    ("3d@3d", lambda L, a, b: a @ b, [(5, 2, 3), (5, 3, 4)]),
    ("bcast 1 vs 5", lambda L, a, b: a @ b, [(1, 2, 3), (5, 3, 4)]),
    ("bcast 4d@3d", lambda L, a, b: a @ b, [(2, 1, 2, 3), (5, 3, 4)]),
    ("3d@1d", lambda L, a, b: a @ b, [(5, 2, 3), (3,)]),
    ("1d@3d", lambda L, a, b: a @ b, [(3,), (5, 3, 4)]),
    ("4d@1d", lambda L, a, b: L.matmul(a, b), [(2, 5, 2, 3), (3,)]),
    ("1d@4d", lambda L, a, b: L.matmul(a, b), [(3,), (2, 1, 3, 4)]),
    ("empty k", lambda L, a, b: a @ b, [(2, 0), (0, 3)]),
    ("empty batch", lambda L, a, b: a @ b, [(0, 2, 3), (3, 4)]),
    ("mm fn", lambda L, a, b: L.mm(a, b), [(4, 3), (3, 2)]),
    ("mm method", lambda L, a, b: a.mm(b), [(1, 1), (1, 1)]),
    ("bmm", lambda L, a, b: L.bmm(a, b), [(3, 2, 4), (3, 4, 5)]),
    ("mv fn", lambda L, a, b: L.mv(a, b), [(4, 3), (3,)]),
    ("dot fn", lambda L, a, b: L.dot(a, b), [(5,), (5,)]),
    ("vdot", lambda L, a, b: L.vdot(a, b), [(5,), (5,)]),
    ("inner", lambda L, a, b: L.inner(a, b), [(2, 3), (4, 3)]),
    ("outer", lambda L, a, b: L.outer(a, b), [(3,), (4,)]),
    ("ger", lambda L, a, b: L.ger(a, b), [(3,), (2,)]),
    ("addmm", lambda L, c, a, b: L.addmm(c, a, b), [(4,), (2, 3), (3, 4)]),
    ("addmm full", lambda L, c, a, b: L.addmm(c, a, b), [(2, 4), (2, 3), (3, 4)]),
    ("addmm beta alpha", lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=-2),
     [(1, 4), (2, 3), (3, 4)]),
    ("addmm beta 0", lambda L, c, a, b: L.addmm(c, a, b, beta=0), [(2, 4), (2, 3), (3, 4)]),
    ("addmv", lambda L, c, a, b: L.addmv(c, a, b, beta=2, alpha=3), [(2,), (2, 3), (3,)]),
    ("baddbmm", lambda L, c, a, b: L.baddbmm(c, a, b), [(2, 2, 4), (2, 2, 3), (2, 3, 4)]),
    ("baddbmm bcast", lambda L, c, a, b: L.baddbmm(c, a, b, beta=0.5, alpha=2),
     [(4,), (2, 2, 3), (2, 3, 4)]),
    ("addbmm", lambda L, c, a, b: L.addbmm(c, a, b, alpha=0.5), [(2, 4), (3, 2, 3), (3, 3, 4)]),
    ("addr", lambda L, c, a, b: L.addr(c, a, b, beta=2), [(3, 4), (3,), (4,)]),
    ("einsum mm", lambda L, a, b: L.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    ("einsum batched", lambda L, a, b: L.einsum("bij,bjk->bik", a, b), [(2, 2, 3), (2, 3, 4)]),
    ("einsum trace", lambda L, a: L.einsum("ii", a), [(3, 3)]),
    ("einsum diag", lambda L, a: L.einsum("ii->i", a), [(3, 3)]),
    ("einsum diag 3", lambda L, a: L.einsum("iij->ij", a), [(2, 2, 3)]),
    ("einsum sum", lambda L, a: L.einsum("ij->", a), [(2, 3)]),
    ("einsum transpose", lambda L, a: L.einsum("ij->ji", a), [(2, 3)]),
    ("einsum implicit", lambda L, a, b: L.einsum("ba,cb", a, b), [(2, 3), (4, 2)]),
    ("einsum summed label", lambda L, a, b: L.einsum("ij,k->i", a, b), [(2, 3), (4,)]),
    ("einsum ellipsis", lambda L, a, b: L.einsum("...ij,...jk->...ik", a, b),
     [(5, 2, 3), (3, 4)]),
    ("einsum ellipsis sum", lambda L, a: L.einsum("i...->...", a), [(2, 3, 4)]),
    ("einsum size-1 bcast", lambda L, a, b: L.einsum("bij,bjk->bik", a, b),
     [(1, 2, 3), (5, 3, 4)]),
    ("einsum list", lambda L, a, b: L.einsum("i j , j k", [a, b]), [(2, 3), (3, 4)]),
    ("einsum three", lambda L, a, b, c: L.einsum("ij,jk,kl->il", a, b, c),
     [(2, 3), (3, 4), (4, 2)]),
    ("einsum outer", lambda L, a, b: L.einsum("i,j->ij", a, b), [(3,), (2,)]),
    ("einsum sublist", lambda L, a, b: L.einsum(a, [0, 1], b, [1, 2], [0, 2]), [(2, 3), (3, 4)]),
    ("tensordot 2", lambda L, a, b: L.tensordot(a, b), [(2, 3, 4), (3, 4, 5)]),
    ("tensordot 1", lambda L, a, b: L.tensordot(a, b, dims=1), [(2, 3, 4), (4, 5)]),
    ("tensordot 0", lambda L, a, b: L.tensordot(a, b, dims=0), [(2, 3), (2,)]),
    ("tensordot lists", lambda L, a, b: L.tensordot(a, b, dims=([1, 2], [1, 0])),
     [(2, 3, 4), (4, 3, 5)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=[c[0] for c in CASES])
def test_forward_backward_matches_torch(name, fn, shapes):
    compare(fn, *[rand(*s) for s in shapes], rtol=1e-5, atol=1e-5, grad_rtol=1e-4, grad_atol=1e-5)


# float64 finite differences for a representative case of each op
FD = [c for c in CASES if not c[0].startswith("empty")]


@pytest.mark.parametrize("name,fn,shapes", FD, ids=[c[0] for c in FD])
def test_gradcheck_fd(name, fn, shapes):
    gradcheck_fd(fn, *[rand(*s, dtype=np.float64) for s in shapes])


INT_CASES = [
    ("int mm", lambda L, a, b: a @ b, [(2, 3), (3, 4)]),
    ("int dot", lambda L, a, b: a @ b, [(3,), (3,)]),
    ("int mv", lambda L, a, b: a @ b, [(2, 3), (3,)]),
    ("int batched", lambda L, a, b: a @ b, [(2, 2, 3), (2, 3, 4)]),
    ("int einsum", lambda L, a, b: L.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    ("int addmm", lambda L, c, a, b: L.addmm(c, a, b, beta=2, alpha=3), [(4,), (2, 3), (3, 4)]),
    ("int outer", lambda L, a, b: L.outer(a, b), [(2,), (3,)]),
]


@pytest.mark.parametrize("name,fn,shapes", INT_CASES, ids=[c[0] for c in INT_CASES])
def test_integer_products(name, fn, shapes):
    compare(fn, *[ints(*s) for s in shapes])


def test_mixed_dtype_outer_promotes():
    compare(lambda L, a, b: L.outer(a, b), ints(3), rand(2, dtype=np.float64))


GRAD_FN = [
    ((3,), (3,), "DotBackward0"), ((2, 3), (3, 4), "MmBackward0"), ((2, 3), (3,), "MvBackward0"),
    ((3,), (3, 4), "SqueezeBackward4"), ((5, 2, 3), (3, 4), "UnsafeViewBackward0"),
    ((5, 2, 3), (5, 3, 4), "UnsafeViewBackward0"), ((2, 3), (5, 3, 4), "CloneBackward0"),
    ((1, 2, 3), (5, 3, 4), "CloneBackward0"), ((5, 2, 3), (3,), "UnsafeViewBackward0"),
    ((3,), (5, 3, 4), "UnsafeViewBackward0"),
]


@pytest.mark.parametrize("sa,sb,expected", GRAD_FN)
def test_matmul_grad_fn_names(sa, sb, expected):
    a = gradstep.tensor(rand(*sa), requires_grad=True)
    b = gradstep.tensor(rand(*sb), requires_grad=True)
    assert (a @ b).grad_fn.name() == expected
    ta = torch.tensor(rand(*sa), requires_grad=True)
    tb = torch.tensor(rand(*sb), requires_grad=True)
    assert (ta @ tb).grad_fn.name() == expected


NAMED = [
    (lambda L, c, a, b: L.addmm(c, a, b), [(4,), (2, 3), (3, 4)], "AddmmBackward0"),
    (lambda L, c, a, b: L.addmv(c, a, b), [(2,), (2, 3), (3,)], "AddmvBackward0"),
    (lambda L, c, a, b: L.baddbmm(c, a, b), [(4,), (2, 2, 3), (2, 3, 4)], "BaddbmmBackward0"),
    (lambda L, c, a, b: L.addbmm(c, a, b), [(4,), (2, 2, 3), (2, 3, 4)], "AddbmmBackward0"),
    (lambda L, a, b: L.bmm(a, b), [(2, 2, 3), (2, 3, 4)], "BmmBackward0"),
    (lambda L, a, b: L.outer(a, b), [(2,), (3,)], "MulBackward0"),
    (lambda L, a, b: L.vdot(a, b), [(2,), (2,)], "VdotBackward0"),
    (lambda L, a, b: L.tensordot(a, b), [(2, 3, 4), (3, 4, 5)], "ViewBackward0"),
]


@pytest.mark.parametrize("fn,shapes,expected", NAMED, ids=[n[2] for n in NAMED])
def test_other_grad_fn_names(fn, shapes, expected):
    arrays = [rand(*s) for s in shapes]
    g = fn(gradstep, *[make(gradstep, a) for a in arrays])
    t = fn(torch, *[make(torch, a) for a in arrays])
    assert g.grad_fn.name() == t.grad_fn.name() == expected


def _f(*shape, dtype=np.float32):
    return np.ones(shape, dtype)


ERRORS = [
    (lambda L, a, b: a @ b, [_f(2, 3), _f(4, 5)]),
    (lambda L, a, b: a @ b, [_f(3), _f(4)]),
    (lambda L, a, b: a @ b, [_f(3), _f(4, 5)]),
    (lambda L, a, b: a @ b, [_f(2, 3), _f(4)]),
    (lambda L, a, b: a @ b, [_f(5, 2, 3), _f(5, 4, 4)]),
    (lambda L, a, b: a @ b, [_f(5, 2, 3), _f(4, 3, 4)]),
    (lambda L, a, b: a @ b, [_f(5, 2, 3), _f(4, 4)]),
    (lambda L, a, b: a @ b, [_f(5, 2, 3), _f(4)]),
    (lambda L, a, b: a @ b, [_f(3), _f(5, 4, 4)]),
    (lambda L, a, b: a @ b, [_f(2, 3), _f(5, 4, 4)]),
    (lambda L, a, b: a @ b, [_f(), _f(3)]),
    (lambda L, a, b: a @ b, [_f(2, 3), _f(3, 4, dtype=np.float64)]),
    (lambda L, a, b: a @ b, [_f(3), _f(3, dtype=np.float64)]),
    (lambda L, a, b: a @ b, [_f(2, 3), _f(3, dtype=np.float64)]),
    (lambda L, a, b: a @ b, [_f(5, 2, 3), _f(5, 3, 4, dtype=np.float64)]),
    (lambda L, a, b: a @ b, [_f(5, 2, 3), _f(3, 4, dtype=np.float64)]),
    (lambda L, a, b: a @ b, [_f(2, 3, dtype=np.int64), _f(3, 4)]),
    (lambda L, a, b: a @ b, [_f(2, 3, dtype=np.int32), _f(3, 4, dtype=np.int16)]),
    (lambda L, a, b: a @ b, [_f(2, 3, dtype=np.uint8), _f(3, 4, dtype=np.int8)]),
    (lambda L, a, b: a @ b, [_f(2, 3, dtype=np.float16), _f(3, 4, dtype=np.float64)]),
    (lambda L, a, b: a @ b, [_f(2, 3, dtype=np.bool_), _f(3, 4, dtype=np.bool_)]),
    (lambda L, a, b: a @ b, [_f(3, dtype=np.bool_), _f(3, dtype=np.bool_)]),
    (lambda L, a, b: a @ b, [_f(2, 3, dtype=np.bool_), _f(3, dtype=np.bool_)]),
    (lambda L, a, b: a @ b, [_f(2, 2, 3, dtype=np.bool_), _f(2, 3, 3, dtype=np.bool_)]),
    (lambda L, a, b: L.mm(a, b), [_f(3), _f(3, 5)]),
    (lambda L, a, b: L.mm(a, b), [_f(3, 3), _f(3)]),
    (lambda L, a, b: L.mm(a, b), [_f(2, 3), _f(3, 5, dtype=np.float64)]),
    (lambda L, a, b: L.bmm(a, b), [_f(2, 3), _f(3, 5)]),
    (lambda L, a, b: L.bmm(a, b), [_f(2, 3, 3), _f(2, 3)]),
    (lambda L, a, b: L.bmm(a, b), [_f(2, 2, 3), _f(3, 3, 5)]),
    (lambda L, a, b: L.bmm(a, b), [_f(2, 2, 3), _f(2, 4, 5)]),
    (lambda L, a, b: L.bmm(a, b), [_f(2, 2, 3, dtype=np.int64), _f(2, 3, 5)]),
    (lambda L, a, b: L.mv(a, b), [_f(2, 3), _f(4)]),
    (lambda L, a, b: L.mv(a, b), [_f(2, 3), _f(3, 1)]),
    (lambda L, a, b: L.mv(a, b), [_f(3, 3, dtype=np.int32), _f(3, dtype=np.int64)]),
    (lambda L, a, b: L.dot(a, b), [_f(3), _f(4)]),
    (lambda L, a, b: L.dot(a, b), [_f(3, 1), _f(3)]),
    (lambda L, a, b: L.dot(a, b), [_f(3, dtype=np.int32), _f(3, dtype=np.int64)]),
    (lambda L, a, b: L.dot(a, b), [_f(3, dtype=np.bool_), _f(3, dtype=np.bool_)]),
    (lambda L, a, b: L.outer(a, b), [_f(3, 1), _f(3)]),
    (lambda L, a, b: L.outer(a, b), [_f(3), _f()]),
    (lambda L, c, a, b: L.addmm(c, a, b), [_f(5), _f(2, 3), _f(3, 4)]),
    (lambda L, c, a, b: L.addmm(c, a, b), [_f(4), _f(2, 3), _f(5, 4)]),
    (lambda L, c, a, b: L.addmm(c, a, b), [_f(4, dtype=np.float64), _f(2, 3), _f(3, 4)]),
    (lambda L, c, a, b: L.addmv(c, a, b), [_f(3), _f(2, 3), _f(3)]),
    (lambda L, c, a, b: L.baddbmm(c, a, b), [_f(2, 2, 5), _f(2, 2, 3), _f(2, 3, 4)]),
    (lambda L, c, a, b: L.addbmm(c, a, b), [_f(2, 4), _f(2, 2, 3), _f(3, 3, 4)]),
    (lambda L, c, a, b: L.addbmm(c, a, b), [_f(2, 4, dtype=np.float64), _f(2, 2, 3), _f(2, 3, 4)]),
    (lambda L, c, a, b: L.baddbmm(c, a, b),
     [_f(2, 2, 4, dtype=np.float64), _f(2, 2, 3), _f(2, 3, 4)]),
    (lambda L, c, a, b: L.addmv(c, a, b), [_f(2, dtype=np.float64), _f(2, 3), _f(3)]),
    (lambda L, c, a: c.addmm_(a, a), [_f(4), _f(4, 4)]),
    (lambda L, a, b: L.einsum("ij,jk->ik", a, b), [_f(2, 3), _f(4, 5)]),
    (lambda L, a: L.einsum("ij,jk->ik", a), [_f(2, 3)]),
    (lambda L, a: L.einsum("ijk->i", a), [_f(2, 3)]),
    (lambda L, a: L.einsum("ij->k", a), [_f(2, 3)]),
    (lambda L, a: L.einsum("ij->ii", a), [_f(2, 3)]),
    (lambda L, a, b: L.einsum("ij,jk->ik", a, b), [_f(2, 3), _f(3, 4, dtype=np.float64)]),
    (lambda L, a, b: L.tensordot(a, b, dims=1), [_f(2, 3), _f(4, 5)]),
    (lambda L, a, b: L.tensordot(a, b, dims=-1), [_f(2, 3), _f(3, 5)]),
    (lambda L, a, b: L.tensordot(a, b, dims=1), [_f(2, 3), _f(3, 5, dtype=np.float64)]),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
@pytest.mark.parametrize("requires_grad", [False, True])
def test_errors_match_torch(case, requires_grad):
    fn, arrays = ERRORS[case]
    rg = requires_grad and all(a.dtype.kind == "f" for a in arrays)
    t_in = [make(torch, a, rg) for a in arrays]
    g_in = [make(gradstep, a, rg) for a in arrays]
    with pytest.raises(Exception) as t_err:
        fn(torch, *t_in)
    with pytest.raises(type(t_err.value), match=re.escape(str(t_err.value))):
        fn(gradstep, *g_in)


def test_matmul_scalar_operand_type_error():
    msg = "matmul(): argument 'other' (position 2) must be Tensor, not float"
    with pytest.raises(TypeError, match=re.escape(msg)):
        gradstep.matmul(gradstep.tensor(_f(2, 3)), 2.0)


def test_inplace_products():
    for lib in (gradstep, torch):
        c = lib.tensor(_f(2, 4))
        out = c.addmm_(lib.tensor(_f(2, 3)), lib.tensor(_f(3, 4)), beta=2)
        assert out is c
        assert to_numpy(c).tolist() == [[5.0] * 4] * 2
        b = lib.tensor(_f(2, 2, 4))
        b.baddbmm_(lib.tensor(_f(2, 2, 3)), lib.tensor(_f(2, 3, 4)), alpha=2)
        assert to_numpy(b).tolist() == [[[7.0] * 4] * 2] * 2


def test_inplace_addmm_records_gradient():
    def fn(L, c, a, b):
        c = c * 1
        c.addmm_(a, b, alpha=2)
        return c
    compare(fn, rand(2, 4), rand(2, 3), rand(3, 4))


def test_addmm_beta_zero_ignores_nan():
    c = np.full((2, 4), np.nan, np.float32)
    compare(lambda L, c, a, b: L.addmm(c, a, b, beta=0), c, rand(2, 3), rand(3, 4),
            requires_grad=False)


def test_matmul_out():
    out = gradstep.tensor(np.zeros((2, 4), np.float32))
    r = gradstep.matmul(gradstep.tensor(_f(2, 3)), gradstep.tensor(_f(3, 4)), out=out)
    assert r is out and to_numpy(out).tolist() == [[3.0] * 4] * 2


def test_rmatmul_with_numpy_array():
    g = np.ones((2, 3), np.float32) @ gradstep.tensor(_f(3, 4))
    assert isinstance(g, gradstep.Tensor) and tuple(g.shape) == (2, 4)


def test_float16_matmul():
    compare(lambda L, a, b: a @ b, rand(4, 3, dtype=np.float16), rand(3, 2, dtype=np.float16),
            requires_grad=False, rtol=2e-3, atol=2e-3)


def test_mm_is_one_node():
    a = gradstep.tensor(rand(4, 3), requires_grad=True)
    b = gradstep.tensor(rand(3, 2), requires_grad=True)
    out = a @ b
    names = [type(n).__name__ for n, _ in out.grad_fn.next_functions]
    assert names == ["AccumulateGrad", "AccumulateGrad"]


# Double backward: second derivatives through create_graph=True against torch.
DOUBLE = [
    ("dot", lambda L, a, b: L.dot(a, b), [(3,), (3,)]),
    ("einsum mm", lambda L, a, b: L.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    ("einsum diag", lambda L, a, b: L.einsum("ii,i->i", a, b), [(3, 3), (3,)]),
    ("mm", lambda L, a, b: a @ b, [(2, 3), (3, 4)]),
    ("3d@2d", lambda L, a, b: a @ b, [(2, 2, 3), (3, 4)]),
    ("addmm", lambda L, a, b: L.addmm(a[0], a, b), [(2, 3), (3, 3)]),
]


@pytest.mark.parametrize("name,fn,shapes", DOUBLE, ids=[d[0] for d in DOUBLE])
def test_double_backward(name, fn, shapes):
    arrays = [rand(*s, dtype=np.float64) for s in shapes]
    results = []
    for lib in (gradstep, torch):
        ins = [make(lib, a) for a in arrays]
        out = fn(lib, *ins)
        weight = lib.tensor(np.linspace(-1, 1, int(np.prod(out.shape))).reshape(tuple(out.shape)))
        grads = lib.autograd.grad((out * out * weight).sum(), ins, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        second = lib.autograd.grad(total, ins)
        results.append([to_numpy(g) for g in list(grads) + list(second)])
    for g, t in zip(*results):
        np.testing.assert_allclose(g, t, rtol=1e-9, atol=1e-10)


# ----- fuzzer findings: edge sizes, integer einsum, addr, alpha/beta = 0, exact messages -----

def _same_outcome(fn):
    """``fn(lib)`` gives equal results (values, dtype) in both libraries, or the same error."""
    outcomes = []
    for lib in (torch, gradstep):
        try:
            outcomes.append((fn(lib), None))
        except Exception as err:  # noqa: BLE001 - any exception is compared
            outcomes.append((None, err))
    (t_out, t_err), (g_out, g_err) = outcomes
    if t_err is not None:
        assert type(g_err) is type(t_err), f"gradstep {g_err!r} vs torch {t_err!r}"
        assert str(g_err) == str(t_err)
        return
    assert g_err is None, f"gradstep raised {g_err!r}"
    assert str(g_out.dtype) == str(t_out.dtype)
    np.testing.assert_allclose(to_numpy(g_out).astype(np.float64),
                               to_numpy(t_out).astype(np.float64), rtol=1e-6, equal_nan=True)


EMPTY_PRODUCTS = [((2, 3, 0), (0,)), ((3, 1, 0, 0), (0, 2)), ((2, 2, 3), (3, 0)),
                  ((2, 0, 3), (3,)), ((0, 2, 3), (3, 0)), ((2, 3, 0), (0, 4))]


@pytest.mark.parametrize("sa,sb", EMPTY_PRODUCTS)
def test_matmul_folded_with_empty_dims(sa, sb):
    """4: N-d @ 2-d/1-d with k = 0 or n = 0, forward and backward."""
    compare(lambda L, a, b: a @ b, rand(*sa), rand(*sb))


EINSUM_BROADCAST = [
    ("ij,jk->ik", [(2, 1), (3, 4)]), ("i,i->", [(1,), (3,)]), ("ij,ij->", [(2, 1), (2, 3)]),
    ("ij,ij->i", [(1, 3), (2, 3)]), ("bij,bjk->bik", [(1, 2, 1), (4, 3, 2)]),
    ("ii,i->i", [(1, 1), (2,)]), ("ij,jk,kl->il", [(2, 1), (3, 1), (1, 2)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_BROADCAST, ids=[e[0] for e in EINSUM_BROADCAST])
def test_einsum_backward_through_size_one_broadcast(eq, shapes):
    """5: contracted labels broadcast from size 1."""
    compare(lambda L, *ops: L.einsum(eq, *ops), *[rand(*s, dtype=np.float64) for s in shapes])


INT_EINSUM = [("ij->", 1), ("ij->i", 1), ("ii", 1), ("ii->i", 1), ("ij->ji", 1),
              ("ij,jk->ik", 2), ("ij,jk->", 2), ("ij,jk->i", 2), ("ij,k->ik", 2), ("ij,j->", 2),
              ("i,j->", 2), ("ij,ij->ij", 2), ("ij,jk,kl->i", 3), ("i,i,i->", 3)]


@pytest.mark.parametrize("dtype", ["int32", "uint8", "bool", "int64"])
@pytest.mark.parametrize("eq,n", INT_EINSUM, ids=[e[0] for e in INT_EINSUM])
def test_einsum_integer_dtypes(eq, n, dtype):
    """7: sums make integers int64 (torch.sum); contractions need equal dtypes, bool none."""
    x = (np.arange(4).reshape(2, 2) % 3).astype(dtype)
    _same_outcome(lambda L: L.einsum(eq, *[L.tensor(x)] * n))


@pytest.mark.parametrize("shapes", [[(2, 1), (2,)], [(2, 2), (1,)], [(2, 1), (2, 2)],
                                    [(1, 2), (2,)], [(2, 2), (2, 2), (1, 2)]])
def test_einsum_integer_dtypes_with_size_one_labels(shapes):
    eq = {2: "ij,j->i" if len(shapes[1]) == 1 else "ij,jk->ik", 3: "ij,jk,kl->il"}[len(shapes)]
    _same_outcome(lambda L: L.einsum(eq, *[L.ones(s, dtype=L.int32) for s in shapes]))


EINSUM_MESSAGES = [("ii", (3, 2)), ("iij", (2, 3, 4)), ("i-j", (3, 2)), ("ij->i-", (3, 2)),
                   ("..", (3,)), ("i..", (3, 2)), ("i...->..", (3, 2)), ("....", (3, 2)),
                   ("...i...", (3, 2)), ("i...->......", (3, 2)), ("ij->j->", (3, 2)),
                   ("ij-", (3, 2)), ("ij->ij,", (3, 2)), ("i j -> j i", (3, 2)),
                   ("ij,", (3, 2))]


@pytest.mark.parametrize("eq,shape", EINSUM_MESSAGES)
def test_einsum_error_messages(eq, shape):
    """26"""
    _same_outcome(lambda L: L.einsum(eq, L.ones(shape)))


ADDR = [
    ("beta0_nan", lambda L: L.addr(L.full((2, 2), float("nan")), L.tensor([1., 2.]),
                                   L.tensor([3., 4.]), beta=0)),
    ("alpha0_nan_vec", lambda L: L.addr(L.ones(2, 2), L.tensor([1., float("nan")]),
                                        L.tensor([3., 4.]), alpha=0)),
    ("int_float_alpha", lambda L: L.addr(L.ones(2, 2, dtype=L.int64), L.tensor([1, 2]),
                                         L.tensor([3, 4]), alpha=2.5)),
    ("int_float_beta", lambda L: L.addr(L.ones(2, 2, dtype=L.int64), L.tensor([1, 2]),
                                        L.tensor([3, 4]), beta=2.5, alpha=1.5)),
    ("int_bool_alpha", lambda L: L.addr(L.ones(2, 2, dtype=L.int64), L.tensor([1, 2]),
                                        L.tensor([3, 4]), alpha=True)),
    ("float_bool_beta", lambda L: L.addr(L.ones(2, 2), L.ones(2), L.ones(2), beta=True)),
    ("int_coefs", lambda L: L.addr(L.ones(2, 2, dtype=L.int64), L.tensor([1, 2]),
                                   L.tensor([3, 4]), alpha=2, beta=3)),
    ("int8_wraps", lambda L: L.addr(L.full((2, 2), 100, dtype=L.int8),
                                    L.full((2,), 100, dtype=L.int8),
                                    L.full((2,), 2, dtype=L.int8), beta=3, alpha=5)),
    ("bool", lambda L: L.addr(L.tensor([[True, False], [False, False]]), L.tensor([True, False]),
                              L.tensor([True, True]))),
    ("bool_beta_false", lambda L: L.addr(L.ones(2, 2, dtype=L.bool), L.tensor([True, False]),
                                         L.tensor([True, True]), beta=False)),
    ("bool_float_alpha", lambda L: L.addr(L.ones(2, 2, dtype=L.bool), L.tensor([True, False]),
                                          L.tensor([True, True]), alpha=0.5)),
    ("promote_int_input", lambda L: L.addr(L.ones(2, 2, dtype=L.int64), L.tensor([1., 2.]),
                                           L.tensor([3., 4.]))),
    ("promote_f64", lambda L: L.addr(L.ones(2, 2), L.tensor([1., 2.], dtype=L.float64),
                                     L.tensor([3., 4.]))),
    ("int_vec_float_alpha", lambda L: L.addr(L.ones(2, 2), L.tensor([1, 2]), L.tensor([3, 4]),
                                             alpha=2.5)),
    ("bcast_row", lambda L: L.addr(L.ones(3), L.ones(2), L.ones(3), beta=0.5)),
    ("bcast_0d", lambda L: L.addr(L.tensor(2.), L.ones(2), L.ones(3))),
    ("shape", lambda L: L.addr(L.ones(3, 3), L.ones(2), L.ones(3))),
    ("shape_and_float_beta", lambda L: L.addr(L.ones(3, 2, dtype=L.int64), L.ones(2, dtype=L.int64),
                                              L.ones(2, dtype=L.int64), beta=1.5)),
    ("input_3d", lambda L: L.addr(L.ones(2, 2, 3, dtype=L.float64), L.ones(2, dtype=L.float64),
                                  L.ones(3, dtype=L.float64))),
    ("input_3d_bool", lambda L: L.addr(L.ones(2, 2, 2, dtype=L.bool), L.ones(2, dtype=L.bool),
                                       L.ones(2, dtype=L.bool))),
    ("vec1_2d", lambda L: L.addr(L.ones(2, 3), L.ones(2, 1), L.ones(3))),
    ("vec2_0d", lambda L: L.addr(L.ones(2, 3), L.ones(2), L.ones(()))),
    ("inplace_size", lambda L: L.ones(1, 3).addr_(L.ones(2), L.ones(3))),
    ("inplace_casts", lambda L: L.ones(2, 3).addr_(L.ones(2), L.ones(3, dtype=L.float64))),
]


@pytest.mark.parametrize("name,fn", ADDR, ids=[a[0] for a in ADDR])
def test_addr_matches_torch(name, fn):
    """2, 13, 19"""
    _same_outcome(fn)


@pytest.mark.parametrize("beta,alpha", [(0, 2.0), (0.5, -1.5), (2, 0)])
def test_addr_gradients(beta, alpha):
    compare(lambda L, c, u, v: L.addr(c, u, v, beta=beta, alpha=alpha), rand(3, 4), rand(3),
            rand(4))
    a = gradstep.addr(make(gradstep, rand(2, 2)), make(gradstep, rand(2)), make(gradstep, rand(2)))
    assert a.grad_fn.name() == "AddrBackward0"


def test_addr_beta_zero_nan_input_gets_zero_gradient():
    c = np.full((2, 3), np.nan, np.float32)
    compare(lambda L, c, u, v: L.addr(c, u, v, beta=0, alpha=2.0), c, rand(2), rand(3))


ALPHA_ZERO = [
    ("addmm", lambda L, m: L.addmm(L.ones(2, 2), m, m.nan_to_num(), alpha=0)),
    ("addmm_beta0", lambda L, m: L.addmm(L.ones(2, 2), m, m, alpha=0, beta=0)),
    ("addmv", lambda L, m: L.addmv(L.ones(2), m, L.ones(2), alpha=0)),
    ("addbmm", lambda L, m: L.addbmm(L.ones(2, 2), m[None], m[None], alpha=0)),
    ("baddbmm_keeps_nan", lambda L, m: L.baddbmm(L.ones(1, 2, 2), m[None], m[None], alpha=0)),
]


@pytest.mark.parametrize("name,fn", ALPHA_ZERO, ids=[a[0] for a in ALPHA_ZERO])
def test_alpha_zero_drops_the_product(name, fn):
    """24: addmm, addmv and addbmm ignore the product at alpha = 0; baddbmm does not."""
    m = np.array([[np.nan, 1.0], [2.0, 3.0]], np.float32)
    compare(fn, m)


DTYPE_MESSAGES = [(a, b, c) for a in ("float32", "float64", "int64")
                  for b in ("float32", "float64", "int64")
                  for c in ("float32", "float64", "int64") if not a == b == c]


@pytest.mark.parametrize("dc,da,db", DTYPE_MESSAGES)
def test_add_product_dtype_messages(dc, da, db):
    """25: which operands torch compares first, and its words for each product."""
    def ones_(L, *shape, dt):
        return L.ones(*shape, dtype=getattr(L, dt))
    _same_outcome(lambda L: L.addmm(ones_(L, 2, 2, dt=dc), ones_(L, 2, 2, dt=da),
                                    ones_(L, 2, 2, dt=db)))
    _same_outcome(lambda L: L.addmv(ones_(L, 2, dt=dc), ones_(L, 2, 2, dt=da), ones_(L, 2, dt=db)))
    _same_outcome(lambda L: L.addbmm(ones_(L, 2, 2, dt=dc), ones_(L, 1, 2, 2, dt=da),
                                     ones_(L, 1, 2, 2, dt=db)))
    _same_outcome(lambda L: L.baddbmm(ones_(L, 1, 2, 2, dt=dc), ones_(L, 1, 2, 2, dt=da),
                                      ones_(L, 1, 2, 2, dt=db)))


MESSAGE_ORDER = [
    lambda L: L.addmv(L.ones(2), L.ones(2, 3, dtype=L.float64), L.ones(2)),
    lambda L: L.addmv(L.ones(2, 2), L.ones(2, 2), L.ones(2)),
    lambda L: L.addmm(L.ones(2, 2), L.ones(2, 3, dtype=L.float64), L.ones(2, 2)),
    lambda L: L.addmm(L.ones(3, 3), L.ones(2, 2, dtype=L.float64), L.ones(2, 2, dtype=L.float64)),
    lambda L: L.addmm(L.ones(2, 2, 3), L.ones(2, 2), L.ones(2, 3)),
    lambda L: L.addbmm(L.ones(2, 2), L.ones(1, 2, 3, dtype=L.float64), L.ones(1, 2, 2)),
    lambda L: L.addbmm(L.ones(3, 3), L.ones(1, 2, 2, dtype=L.float64),
                       L.ones(1, 2, 2, dtype=L.float64)),
    lambda L: L.baddbmm(L.ones(1, 3, 3), L.ones(1, 2, 2, dtype=L.float64),
                        L.ones(1, 2, 2, dtype=L.float64)),
    lambda L: L.baddbmm(L.ones(1, 3, 3), L.ones(1, 2, 2), L.ones(2)),
    lambda L: L.baddbmm(L.ones(1, 1, 2, 2, 3), L.ones(1, 2, 2), L.ones(1, 2, 3)),
    lambda L: L.addbmm(L.ones(2, 2, dtype=L.bool), L.ones(1, 2, 2, dtype=L.bool),
                       L.ones(1, 2, 2, dtype=L.bool)),
    lambda L: L.baddbmm(L.ones(1, 2, 2, dtype=L.bool), L.ones(1, 2, 2, dtype=L.bool),
                        L.ones(1, 2, 2, dtype=L.bool)),
    lambda L: L.mv(L.tensor(1.), L.ones(3)),  # 27
    lambda L: L.bmm(L.ones(2, 2, 3, dtype=L.bool), L.ones(2, 3, 4)),  # 33
    lambda L: L.ones(2, 2, 3, dtype=L.bool) @ L.ones(2, 3, 4),
    lambda L: L.bmm(L.ones(2, 2, 3), L.ones(2, 3, 4, dtype=L.bool)),
]


@pytest.mark.parametrize("case", range(len(MESSAGE_ORDER)))
def test_product_message_order(case):
    _same_outcome(MESSAGE_ORDER[case])


KRON = [((2, 3), (4,)), ((3,), (2, 2)), ((2, 1, 3), (2, 2)), ((), (3,)), ((2, 2), (2, 2)),
        ((0, 2), (3,))]


@pytest.mark.parametrize("sa,sb", KRON)
def test_kron(sa, sb):
    """35: torch.kron, values and gradients, float64 finite differences, and its grad_fn."""
    compare(lambda L, a, b: L.kron(a, b), rand(*sa), rand(*sb))
    if 0 not in sa:
        gradcheck_fd(lambda L, a, b: L.kron(a, b), rand(*sa), rand(*sb))
    g = gradstep.kron(make(gradstep, rand(*sa)), make(gradstep, rand(*sb)))
    assert g.grad_fn.name() == "UnsafeViewBackward0"


@pytest.mark.parametrize("case", [
    lambda L: L.kron(L.tensor([1, 2]), L.tensor([1., 10.])),
    lambda L: L.kron(L.tensor([True, False]), L.tensor([True, True])),
    lambda L: L.kron(L.tensor([1, 2], dtype=L.int8), L.tensor([100, 3], dtype=L.int8)),
    lambda L: L.tensor([1., 2.]).kron(L.tensor([3., 4.])),
    lambda L: L.kron(L.ones(2), 3),
])
def test_kron_dtypes_and_errors(case):
    _same_outcome(case)


def test_kron_double_backward():
    a, b = rand(2, 2, dtype=np.float64), rand(3, dtype=np.float64)
    results = []
    for lib in (gradstep, torch):
        ta, tb = make(lib, a), make(lib, b)
        out = lib.kron(ta, tb)
        grads = lib.autograd.grad((out * out).sum(), [ta, tb], create_graph=True)
        second = lib.autograd.grad(sum((g * g).sum() for g in grads), [ta, tb])
        results.append([to_numpy(g) for g in list(grads) + list(second)])
    for g, t in zip(*results):
        np.testing.assert_allclose(g, t, rtol=1e-9, atol=1e-10)


_MULTI_DOT = {
    "matrices": [(2, 3), (3, 4), (4, 2)],
    "vector_ends": [(3,), (3, 4), (4,)],
    "two_vectors": [(3,), (3,)],
    "one": [(2, 3)],
    "none": [],
    "first_3d": [(2, 3, 4), (4, 2)],
    "last_3d": [(2, 3), (3, 4, 5)],
    "inner_1d": [(2, 3), (3,), (5, 2)],
    "mismatch": [(3,), (3, 2), (3,)],
}


@pytest.mark.parametrize("case", sorted(_MULTI_DOT))
def test_linalg_multi_dot_against_torch(case):
    from _outcome import assert_same_outcome
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in _MULTI_DOT[case]]

    def run(L):
        ts = [L.tensor(a, requires_grad=True) for a in arrays]
        result = L.linalg.multi_dot(ts)
        result.sum().backward()
        return result, [t.grad for t in ts]
    assert_same_outcome(run)


def test_linalg_multi_dot_dtype_error():
    from _outcome import assert_same_outcome
    assert_same_outcome(lambda L: L.linalg.multi_dot([L.ones(2, 3), L.ones(3, 2, dtype=L.float64)]))
