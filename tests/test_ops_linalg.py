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
