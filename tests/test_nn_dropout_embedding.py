"""Dropout (statistics, scaling, masks), embedding, embedding_bag, one_hot and distances."""
import re
import warnings

import numpy as np
import pytest
import torch

import gradstep
from _compare import compare, gradcheck_fd
from _modules import compare_module

DTYPES = [np.float32, np.float64]
SELU_SAT = 1.7580993408473766


def F(lib):
    return lib.nn.functional


def rand(*shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ----- dropout -----

def _run(fn, x, dtype=np.float32):
    """``fn`` on a gradstep tensor requiring grad; returns (input, output, input grad, upstream)."""
    t = gradstep.tensor(x.astype(dtype), requires_grad=True)
    out = fn(t)
    up = rand(*x.shape, dtype=dtype, seed=7)
    out.backward(gradstep.tensor(up))
    return t, out.detach().numpy(), t.grad.numpy(), up


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics_scaling_and_gradient(p, dtype):
    gradstep.manual_seed(0)
    x = np.ones((200, 250))
    _, out, grad, up = _run(lambda t: F(gradstep).dropout(t, p), x, dtype)
    kept = out != 0
    assert out.dtype == dtype
    np.testing.assert_allclose(out[kept], dtype(1) / dtype(1 - p), rtol=1e-6)
    assert abs(1 - kept.mean() - p) < 4 * np.sqrt(p * (1 - p) / x.size)
    # the gradient passes exactly where the output kept the input, with the same scale
    np.testing.assert_array_equal(grad, np.where(kept, up * out, 0))


def test_dropout_grad_fn_and_values_on_random_input():
    gradstep.manual_seed(1)
    x = rand(50, 40, dtype=np.float32)
    t, out, grad, up = _run(lambda t: F(gradstep).dropout(t, 0.3), x)
    mask = (out != 0).astype(np.float32) / np.float32(0.7)
    np.testing.assert_allclose(out, x * mask, rtol=1e-6)
    np.testing.assert_allclose(grad, up * mask, rtol=1e-6)
    y = F(gradstep).dropout(t, 0.3)
    t_y = F(torch).dropout(torch.ones(2, requires_grad=True), 0.3)
    assert y.grad_fn.name() == t_y.grad_fn.name()


def test_dropout_is_reproducible_under_manual_seed():
    x = gradstep.ones(100)
    gradstep.manual_seed(3)
    a = F(gradstep).dropout(x, 0.5)
    gradstep.manual_seed(3)
    b = F(gradstep).dropout(x, 0.5)
    assert bool((a == b).all())


IDENTITY_CASES = [
    lambda lib, x: F(lib).dropout(x, 0.5, training=False),
    lambda lib, x: F(lib).dropout(x, 0.0),
    lambda lib, x: F(lib).alpha_dropout(x, 0.5, training=False),
    lambda lib, x: F(lib).alpha_dropout(x, 0.0, training=True),
    lambda lib, x: F(lib).feature_alpha_dropout(x, 0.0, True),
    lambda lib, x: F(lib).dropout2d(x, 0.0),
    lambda lib, x: F(lib).dropout2d(x, 0.5, training=False),
    lambda lib, x: F(lib).dropout3d(x.unsqueeze(0), 0.5, training=False),
    lambda lib, x: lib.nn.Dropout(0.5).eval()(x),
    lambda lib, x: lib.nn.Dropout2d(0.5).eval()(x),
    lambda lib, x: lib.nn.AlphaDropout(0.5).eval()(x),
    lambda lib, x: lib.nn.Dropout(0.0)(x),
]


@pytest.mark.parametrize("i", range(len(IDENTITY_CASES)))
def test_identity_cases_return_what_torch_returns(i):
    fn = IDENTITY_CASES[i]
    res = {}
    for lib in (torch, gradstep):
        x = lib.randn(2, 3, 4, 4)
        out = fn(lib, x)
        res[lib] = out is x
        if not res[lib]:
            assert bool((out == x).all())
    assert res[gradstep] == res[torch]


@pytest.mark.parametrize("fn,shape", [
    (lambda lib, x: F(lib).dropout1d(x[0], 0.0), (2, 3, 4)),
    (lambda lib, x: F(lib).dropout1d(x[0], 0.5), (2, 3, 4)),
    (lambda lib, x: F(lib).dropout1d(x, 0.5), (2, 3, 4)),
    (lambda lib, x: F(lib).dropout3d(x[0], 0.5), (2, 3, 4, 4, 4)),
    (lambda lib, x: F(lib).dropout2d(x, 0.5), (2, 3, 4, 4)),
    (lambda lib, x: F(lib).dropout3d(x[0], 0.5, training=False), (2, 3, 4, 4, 4)),
])
def test_feature_dropout_grad_fn(fn, shape):
    names = []
    for lib in (torch, gradstep):
        x = lib.randn(*shape, requires_grad=True)
        names.append(fn(lib, x).grad_fn.name())
    assert names[0] == names[1]


def test_dropout_p1_zeroes_everything():
    compare(lambda lib, x: F(lib).dropout(x, 1.0), rand(3, 4))
    compare(lambda lib, x: F(lib).alpha_dropout(x, 1.0, True), rand(3, 4))
    compare(lambda lib, x: F(lib).dropout2d(x, 1.0), rand(2, 3, 2, 2))
    compare(lambda lib, x: lib.nn.Dropout(1.0)(x), rand(3, 4))


@pytest.mark.parametrize("fn,shape,mask_shape", [
    (lambda t: F(gradstep).dropout1d(t, 0.5), (8, 16, 5), (8, 16, 1)),
    (lambda t: F(gradstep).dropout1d(t, 0.5), (16, 5), (16, 1)),
    (lambda t: F(gradstep).dropout2d(t, 0.5), (8, 16, 3, 3), (8, 16, 1, 1)),
    (lambda t: F(gradstep).dropout2d(t, 0.5), (8, 16, 3), (8, 16, 1)),
    (lambda t: F(gradstep).dropout3d(t, 0.5), (4, 16, 2, 2, 2), (4, 16, 1, 1, 1)),
    (lambda t: F(gradstep).dropout3d(t, 0.5), (16, 2, 2, 2), (16, 1, 1, 1)),
    (lambda t: gradstep.nn.Dropout2d(0.5)(t), (8, 16, 3, 3), (8, 16, 1, 1)),
])
def test_feature_dropout_drops_whole_channels(fn, shape, mask_shape):
    gradstep.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, out, grad, up = _run(fn, np.ones(shape))
    axes = tuple(i for i, (a, b) in enumerate(zip(shape, mask_shape)) if a != b)
    per_channel = out.max(axis=axes, keepdims=True)
    assert per_channel.shape == mask_shape
    np.testing.assert_array_equal(out, np.broadcast_to(per_channel, shape))
    assert set(np.unique(per_channel)) <= {0.0, 2.0} and len(np.unique(per_channel)) == 2
    np.testing.assert_array_equal(grad, up * out)


@pytest.mark.parametrize("feature", [False, True])
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_values_and_moments(p, feature):
    """Dropped units map to torch's value a*(p-1)*sat, kept ones to a*x + a*p*sat; the mean and
    variance of a standard normal input are kept."""
    gradstep.manual_seed(0)
    x = rand(400, 500) if not feature else rand(400, 500, 1)
    fn = (lambda t: F(gradstep).feature_alpha_dropout(t, p, True)) if feature else \
        (lambda t: F(gradstep).alpha_dropout(t, p, True))
    _, out, grad, up = _run(fn, x, np.float64)
    a = 1 / np.sqrt((SELU_SAT ** 2 * p + 1) * (1 - p))
    dropped_value = a * (p - 1) * SELU_SAT
    kept = np.isclose(out, a * x + a * p * SELU_SAT, rtol=1e-12)
    np.testing.assert_allclose(out[~kept], dropped_value, rtol=1e-12)
    assert abs((~kept).mean() - p) < 0.01
    np.testing.assert_allclose(grad, np.where(kept, up * a, 0), rtol=1e-12)
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    # torch's output on zeros takes the same two values
    t_out = F(torch).alpha_dropout(torch.zeros(1000, dtype=torch.float64), p, True).numpy()
    g_out = F(gradstep).alpha_dropout(gradstep.zeros(1000, dtype=gradstep.float64), p,
                                      True).numpy()
    np.testing.assert_allclose(np.unique(g_out), np.unique(t_out), rtol=1e-12)


def test_dropout_inplace():
    gradstep.manual_seed(0)
    x = gradstep.ones(10, 10, requires_grad=True)
    y = x * 1
    out = F(gradstep).dropout(y, 0.5, inplace=True)
    assert out is y and y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())
    z = gradstep.ones(4, 4)
    m = gradstep.nn.Dropout(0.5, inplace=True)
    assert m(z) is z and repr(m) == "Dropout(p=0.5, inplace=True)"


DROPOUT_ERRORS = [
    (lambda lib: F(lib).dropout(lib.randn(3), 1.5), ValueError),
    (lambda lib: F(lib).dropout(lib.randn(3), -0.1), ValueError),
    (lambda lib: F(lib).dropout(lib.randn(3), -0.1, training=False), ValueError),
    (lambda lib: F(lib).alpha_dropout(lib.randn(3), 1.5, True), ValueError),
    (lambda lib: F(lib).dropout1d(lib.randn(3), 0.5), RuntimeError),
    (lambda lib: F(lib).dropout1d(lib.randn(2, 3, 4, 5), 0.5), RuntimeError),
    (lambda lib: F(lib).dropout1d(lib.randn(3, 4), 1.5), ValueError),
    (lambda lib: F(lib).feature_alpha_dropout(lib.randn(3), 0.5, True), RuntimeError),
    (lambda lib: lib.nn.Dropout(2), ValueError),
    (lambda lib: lib.nn.Dropout2d(-1), ValueError),
]


@pytest.mark.parametrize("i", range(len(DROPOUT_ERRORS)))
def test_dropout_errors_match_torch(i):
    fn, exc = DROPOUT_ERRORS[i]
    with pytest.raises(exc) as expected:
        fn(torch)
    with pytest.raises(exc, match=re.escape(str(expected.value))):
        fn(gradstep)


@pytest.mark.parametrize("fn,shape", [
    (lambda lib, x: F(lib).dropout2d(x, 0.5), (2, 3, 4)),
    (lambda lib, x: F(lib).dropout2d(x, 0.5), (2, 3)),
    (lambda lib, x: F(lib).dropout2d(x, 0.5, training=False), (2, 3, 4, 5, 6)),
    (lambda lib, x: F(lib).dropout3d(x, 0.5), (2, 3)),
])
def test_dropout_warnings_match_torch(fn, shape):
    msgs = []
    for lib in (torch, gradstep):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            fn(lib, lib.randn(*shape))
        msgs.append([str(m.message) for m in w if m.category is UserWarning])
    assert msgs[0] == msgs[1] and msgs[0]


@pytest.mark.parametrize("make,shape", [
    (lambda lib: lib.nn.Dropout(), (2, 3)), (lambda lib: lib.nn.Dropout(0.3, True), (2, 3)),
    (lambda lib: lib.nn.Dropout1d(0.1), (2, 3, 4)), (lambda lib: lib.nn.Dropout2d(), (2, 3, 4, 4)),
    (lambda lib: lib.nn.Dropout3d(0.2), (2, 3, 2, 2, 2)),
    (lambda lib: lib.nn.AlphaDropout(0.2), (2, 3)),
    (lambda lib: lib.nn.FeatureAlphaDropout(), (2, 3, 4)),
])
def test_dropout_modules_repr_and_eval(make, shape):
    compare_module(make, rand(*shape), modes=(False,))


def test_dropout_module_respects_training_flag():
    m = gradstep.nn.Dropout(0.5)
    x = gradstep.ones(1000)
    assert (m(x) == 0).any()
    m.eval()
    assert m(x) is x


# ----- embedding -----

EMBEDDING_CASES = [
    ("plain", dict(), np.array([[1, 2, 4], [4, 3, 2]])),
    ("repeated", dict(), np.array([1, 1, 1, 3, 1])),
    ("scalar_index", dict(), np.array(2)),
    ("padding", dict(padding_idx=2), np.array([[1, 2, 2], [0, 4, 2]])),
    ("padding_neg", dict(padding_idx=-1), np.array([4, 4, 0])),
    ("freq", dict(scale_grad_by_freq=True), np.array([[1, 2, 2], [2, 4, 1]])),
    ("freq_padding", dict(scale_grad_by_freq=True, padding_idx=0), np.array([0, 0, 1, 2, 2])),
    ("sparse", dict(sparse=True), np.array([1, 3])),
    ("empty", dict(), np.zeros((0, 2), np.int64)),
    ("int32", dict(), np.array([0, 4, 4], np.int32)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kw,idx", EMBEDDING_CASES, ids=[c[0] for c in EMBEDDING_CASES])
def test_embedding_matches_torch(name, kw, idx, dtype):
    def fn(lib, w, i):
        return F(lib).embedding(i, w, **kw)
    if kw.get("sparse"):  # torch's gradient is sparse: compare it densified
        w = rand(5, 3, dtype=dtype)
        g = gradstep.tensor(w, requires_grad=True)
        t = torch.tensor(w, requires_grad=True)
        F(gradstep).embedding(gradstep.tensor(idx), g, sparse=True).sum().backward()
        F(torch).embedding(torch.tensor(idx), t, sparse=True).sum().backward()
        np.testing.assert_array_equal(g.grad.numpy(), t.grad.to_dense().numpy())
        return
    g, t = compare(fn, rand(5, 3, dtype=dtype), idx)
    assert g.grad_fn.name() == t.grad_fn.name()


def test_embedding_gradcheck():
    # (padding_idx and scale_grad_by_freq change the gradient by convention: compared to torch
    # above, not to finite differences)
    gradcheck_fd(lambda lib, w: F(lib).embedding(lib.tensor([[1, 2, 2], [0, 3, 2]]), w),
                 rand(4, 3))


def test_embedding_double_backward():
    def fn(lib, w):
        y = F(lib).embedding(lib.tensor([1, 1, 2]), w)
        g, = lib.autograd.grad((y ** 3).sum(), (w,), create_graph=True)
        return (g * g).sum()
    compare(fn, rand(4, 3))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_embedding_max_norm_renormalises_rows_in_place(norm_type):
    w = rand(6, 3) * 3
    idx = np.array([[0, 1, 1], [4, 5, 0]])
    res = {}
    for lib in (torch, gradstep):
        weight = lib.tensor(w, requires_grad=True)
        before = weight._version
        out = F(lib).embedding(lib.tensor(idx), weight, max_norm=1.5, norm_type=norm_type)
        out.sum().backward()
        res[lib] = (out.detach().numpy(), weight.detach().numpy(), weight.grad.numpy(),
                    weight._version - before)
    for a, b in zip(res[gradstep], res[torch]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    unused = [2, 3]
    np.testing.assert_array_equal(res[gradstep][1][unused], w[unused])


EMBEDDING_ERRORS = [
    (lambda lib: F(lib).embedding(lib.tensor([1.]), lib.randn(5, 3)), RuntimeError),
    (lambda lib: F(lib).embedding(lib.tensor([1], dtype=lib.int16), lib.randn(5, 3)),
     RuntimeError),
    (lambda lib: F(lib).embedding(lib.tensor([5]), lib.randn(5, 3)), IndexError),
    (lambda lib: F(lib).embedding(lib.tensor([-1]), lib.randn(5, 3)), IndexError),
    (lambda lib: F(lib).embedding(lib.tensor([1]), lib.randn(5, 3), padding_idx=5),
     AssertionError),
    (lambda lib: F(lib).embedding(lib.tensor([1]), lib.randn(5, 3), padding_idx=-6),
     AssertionError),
    (lambda lib: F(lib).embedding(lib.tensor([1]), lib.randn(5)), RuntimeError),
    (lambda lib: lib.nn.Embedding(3, 2, padding_idx=3), AssertionError),
    (lambda lib: lib.nn.Embedding(3, 2, _weight=lib.randn(2, 2)), AssertionError),
    (lambda lib: lib.nn.Embedding.from_pretrained(lib.randn(3)), AssertionError),
    (lambda lib: F(lib).one_hot(lib.tensor([1.])), RuntimeError),
    (lambda lib: F(lib).one_hot(lib.tensor([1], dtype=lib.int32)), RuntimeError),
    (lambda lib: F(lib).one_hot(lib.tensor([-1])), RuntimeError),
    (lambda lib: F(lib).one_hot(lib.tensor([3]), 2), RuntimeError),
    (lambda lib: F(lib).one_hot(lib.tensor([], dtype=lib.long)), RuntimeError),
    (lambda lib: F(lib).one_hot(lib.tensor([1]), -2), RuntimeError),
]


@pytest.mark.parametrize("i", range(len(EMBEDDING_ERRORS)))
def test_embedding_errors_match_torch(i):
    fn, exc = EMBEDDING_ERRORS[i]
    with pytest.raises(exc) as expected:
        fn(torch)
    with pytest.raises(exc, match=re.escape(str(expected.value))):
        fn(gradstep)


@pytest.mark.parametrize("idx,n", [([0, 2, 1], -1), ([[1, 2], [0, 0]], 4), (3, 5), ([], 3)])
def test_one_hot_matches_torch(idx, n):
    arr = np.array(idx, dtype=np.int64)
    compare(lambda lib, i: F(lib).one_hot(i, n), arr)


EMBEDDING_MODULES = [
    (lambda lib: lib.nn.Embedding(10, 3), np.array([[1, 2, 3], [9, 9, 0]])),
    (lambda lib: lib.nn.Embedding(10, 3, padding_idx=2), np.array([1, 2, 3, 2])),
    (lambda lib: lib.nn.Embedding(10, 3, padding_idx=-1, max_norm=1.0, norm_type=3,
                                  scale_grad_by_freq=True), np.array([1, 9, 1, 2])),
    (lambda lib: lib.nn.EmbeddingBag(10, 3), np.array([[1, 2, 3], [2, 2, 9]])),
    (lambda lib: lib.nn.EmbeddingBag(10, 3, mode="sum"), np.array([[1, 2, 3], [2, 2, 9]])),
    (lambda lib: lib.nn.EmbeddingBag(10, 3, mode="max"), np.array([[1, 2, 3], [2, 2, 9]])),
    (lambda lib: lib.nn.EmbeddingBag(10, 3, mode="mean", padding_idx=2),
     np.array([[1, 2, 3], [2, 2, 9]])),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("i", range(len(EMBEDDING_MODULES)))
def test_embedding_modules_match_torch(i, dtype):
    make, idx = EMBEDDING_MODULES[i]
    compare_module(make, idx, dtype=dtype)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("last", [False, True])
def test_embedding_bag_offsets(mode, last):
    idx = np.array([1, 2, 4, 5, 4, 3, 2, 9])
    offsets = np.array([0, 2, 2, 5] + ([8] if last else []))
    compare_module(lambda lib: lib.nn.EmbeddingBag(10, 3, mode=mode, include_last_offset=last),
                   idx, offsets)


def test_embedding_bag_per_sample_weights():
    def call(m, idx, off, psw):
        return m(idx, off, per_sample_weights=psw)
    compare_module(lambda lib: lib.nn.EmbeddingBag(10, 3, mode="sum"), np.array([1, 2, 4, 5, 4]),
                   np.array([0, 3]), rand(5), call=call)


def test_embedding_default_init_and_padding_row():
    gradstep.manual_seed(0)
    m = gradstep.nn.Embedding(1000, 64, padding_idx=3)
    w = m.weight.detach().numpy()
    np.testing.assert_array_equal(w[3], 0)
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01


def test_embedding_from_pretrained():
    for freeze in (True, False):
        res = {}
        for lib in (torch, gradstep):
            w = lib.tensor(rand(4, 3, dtype=np.float32))
            m = lib.nn.Embedding.from_pretrained(w, freeze=freeze, padding_idx=1)
            res[lib] = (repr(m), m.weight.requires_grad, m(lib.tensor([1, 3])).detach().numpy(),
                        m.weight.data_ptr() == w.data_ptr())
        assert res[gradstep][:2] == res[torch][:2]
        np.testing.assert_array_equal(res[gradstep][2], res[torch][2])
        assert res[gradstep][3] == res[torch][3]


# ----- distances -----

DISTANCE_CASES = [
    ("cos", lambda lib, a, b: F(lib).cosine_similarity(a, b), (4, 5), (4, 5)),
    ("cos_dim0", lambda lib, a, b: F(lib).cosine_similarity(a, b, dim=0), (4, 5), (4, 5)),
    ("cos_broadcast", lambda lib, a, b: F(lib).cosine_similarity(a, b, -1), (1, 5), (3, 5)),
    ("cos_3d", lambda lib, a, b: F(lib).cosine_similarity(a, b, 2, 1e-3), (2, 3, 4), (2, 3, 4)),
    ("pair", lambda lib, a, b: F(lib).pairwise_distance(a, b), (4, 5), (4, 5)),
    ("pair_p1_keep", lambda lib, a, b: F(lib).pairwise_distance(a, b, 1.0, keepdim=True),
     (4, 5), (4, 5)),
    ("pair_p3_bcast", lambda lib, a, b: F(lib).pairwise_distance(a, b, 3.0), (5,), (4, 5)),
    ("pair_inf", lambda lib, a, b: F(lib).pairwise_distance(a, b, float("inf")), (4, 5), (4, 5)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,fn,s1,s2", DISTANCE_CASES, ids=[c[0] for c in DISTANCE_CASES])
def test_distances_match_torch(name, fn, s1, s2, dtype):
    g, t = compare(fn, rand(*s1, dtype=dtype), rand(*s2, dtype=dtype, seed=1))
    if name.startswith("cos"):  # (pairwise_distance: gradstep's Tensor.norm names its node
        assert g.grad_fn.name() == t.grad_fn.name()  # LinalgVectorNormBackward0, not NormBackward1)


@pytest.mark.parametrize("name,fn,s1,s2", DISTANCE_CASES[:7],
                         ids=[c[0] for c in DISTANCE_CASES[:7]])
def test_distances_gradcheck(name, fn, s1, s2):
    gradcheck_fd(fn, rand(*s1), rand(*s2, seed=1))


def test_cosine_similarity_zero_vectors():
    z = np.zeros((2, 3))
    compare(lambda lib, a, b: F(lib).cosine_similarity(a, b), z, rand(2, 3))
    compare(lambda lib, a, b: F(lib).cosine_similarity(a, b), z, z)
    compare(lambda lib, a, b: F(lib).pairwise_distance(a, b), z, z)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
def test_pdist_matches_torch(p):
    compare(lambda lib, x: F(lib).pdist(x, p), rand(5, 3))
    gradcheck_fd(lambda lib, x: F(lib).pdist(x, p), rand(4, 2))


def test_distance_errors_match_torch():
    for fn, exc in [(lambda lib: F(lib).cosine_similarity(lib.randn(2, 3), lib.randn(2, 4)),
                     RuntimeError),
                    (lambda lib: F(lib).pairwise_distance(lib.randn(2, 3), lib.randn(2, 4)),
                     RuntimeError),
                    (lambda lib: F(lib).pdist(lib.randn(2, 3, 4)), RuntimeError)]:
        with pytest.raises(exc) as expected:
            fn(torch)
        with pytest.raises(exc, match=re.escape(str(expected.value))):
            fn(gradstep)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.CosineSimilarity(), lambda lib: lib.nn.CosineSimilarity(0, 1e-3),
    lambda lib: lib.nn.PairwiseDistance(), lambda lib: lib.nn.PairwiseDistance(1.0, 1e-3, True),
])
def test_distance_modules_match_torch(make):
    compare_module(make, rand(4, 5), rand(4, 5, seed=1))
