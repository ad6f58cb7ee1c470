"""Containers against torch: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.

Each case runs one scenario on gradstep and on torch; results, reprs, exception types and
messages must be the same (see tests/_outcome.py).
"""
import copy
import functools
import pickle
from collections import OrderedDict
from types import SimpleNamespace

import pytest

from _outcome import assert_same_outcome


@functools.lru_cache(maxsize=None)
def defs(lib):
    nn = lib.nn

    class Scale(nn.Module):
        def __init__(self, k):
            super().__init__()
            self.k = k
            self.w = nn.Parameter(lib.full((2,), float(k)))

        def forward(self, x):
            return x * self.w

        def extra_repr(self):
            return f"k={self.k}"

    class Plus(nn.Module):
        def forward(self, x):
            return x + 1

    return SimpleNamespace(Scale=Scale, Plus=Plus)


def seq(lib, n=4):
    return lib.nn.Sequential(*[defs(lib).Scale(k) for k in range(1, n + 1)])


def keys(module):
    return list(module._modules) if hasattr(module, "_modules") else None


def _run(lib, model):
    x = lib.ones(2, requires_grad=True)
    y = model(x)
    y.sum().backward()
    return y, x.grad, [(n, p.grad) for n, p in model.named_parameters()]


def _mutate(lib, op):
    s = seq(lib)
    result = op(lib, s)
    return result, repr(s), keys(s), list(s.state_dict())


def _ml(lib, n=3):
    return lib.nn.ModuleList([defs(lib).Scale(k) for k in range(n)])


def _ml_mutate(lib, op):
    m = _ml(lib)
    result = op(lib, m)
    return result, repr(m), keys(m), list(m.state_dict())


def _md(lib):
    return lib.nn.ModuleDict({"b": defs(lib).Scale(1), "a": defs(lib).Plus()})


def _md_mutate(lib, op):
    m = _md(lib)
    result = op(lib, m)
    return result, repr(m), list(m.keys()), list(m.state_dict())


def _pl(lib):
    return lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2, 3)), lib.ones(2)])


def _pl_mutate(lib, op):
    p = _pl(lib)
    result = op(lib, p)
    return (result, repr(p), len(p), [n for n, _ in p.named_parameters()],
            [type(v).__name__ for v in p])


def _pd(lib):
    return lib.nn.ParameterDict({"w": lib.ones(2), "b": lib.nn.Parameter(lib.zeros(1))})


def _pd_mutate(lib, op):
    p = _pd(lib)
    result = op(lib, p)
    return (result, repr(p), list(p.keys()), [n for n, _ in p.named_parameters()],
            [type(v).__name__ for v in p.values()])


def _nested_repr(lib):
    nn = lib.nn
    D = defs(lib)

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nn.ModuleList([nn.Sequential(D.Scale(2), D.Plus()) for _ in range(3)])
            self.heads = nn.ModuleDict({"x": D.Scale(1), "y": nn.ModuleList([D.Plus(), D.Plus()])})
            self.params = nn.ParameterList([lib.zeros(2, 2), lib.zeros(3, dtype=lib.float64)])
            self.pdict = nn.ParameterDict({"s": lib.zeros(1)})
            self.tail = nn.Sequential(OrderedDict([("first", D.Plus()), ("second", D.Scale(3))]))
            self.empty = nn.Sequential()
            self.empty_list = nn.ModuleList()
    m = Model()
    return repr(m), list(m.state_dict()), [n for n, _ in m.named_modules()]


def _deepcopy(lib):
    s = seq(lib, 2)
    s.append(s[0])
    c = copy.deepcopy(s)
    return repr(c), c[0] is c[2], c[0] is s[0], list(c.state_dict())


def _pickle(lib):
    p = lib.nn.ParameterDict({"a": lib.ones(2)})
    pl = lib.nn.ParameterList([lib.ones(1)])
    s = seq(lib, 2)
    return [repr(pickle.loads(pickle.dumps(obj))) for obj in (p, pl, s)]


def _iter_ops(lib):
    s = seq(lib, 3)
    return [type(m).__name__ for m in s], len(s), [m.k for m in reversed(list(s))]


def _dir_digits(lib):
    return [any(k.isdigit() for k in dir(obj)) for obj in (seq(lib), _ml(lib), _pl(lib))]


def _pd_methods(lib):
    p = _pd(lib)
    out = [("w" in p), p.get("zz"), list(reversed(p)), len(p)]
    out.append(p.setdefault("c", lib.ones(3)).shape)
    k, v = p.popitem()
    out.append((k, v))
    out.append(list(p.copy().keys()))
    out.append(list(p.fromkeys(["x", "y"], lib.zeros(1)).keys()))
    merged = p | lib.nn.ParameterDict({"z": lib.ones(1)})
    out.append(list(merged.keys()))
    p |= {"q": lib.ones(1)}
    out.append(list(p.keys()))
    p.clear()
    out.append(len(p))
    return out


def _md_methods(lib):
    m = _md(lib)
    out = ["a" in m, len(m), list(m), [type(v).__name__ for v in m.values()]]
    out.append(type(m.pop("a")).__name__)
    m.update([("z", defs(lib).Plus()), ("y", defs(lib).Plus())])
    out.append(list(m.keys()))
    m.update(OrderedDict([("c", defs(lib).Plus())]))
    m.clear()
    out.append(len(m))
    return out


CASES = {
    # Sequential
    "seq forward": lambda lib: _run(lib, seq(lib)),
    "seq ordereddict": lambda lib: _run(lib, lib.nn.Sequential(OrderedDict(
        [("a", defs(lib).Scale(2)), ("b", defs(lib).Plus())]))),
    "seq empty forward": lambda lib: lib.nn.Sequential()(lib.ones(2)),
    "seq repr": lambda lib: repr(seq(lib)),
    "seq index": lambda lib: (repr(seq(lib)[1]), repr(seq(lib)[-1])),
    "seq index out of range": lambda lib: seq(lib)[4],
    "seq negative out of range": lambda lib: seq(lib)[-5],
    "seq index bad type": lambda lib: seq(lib)["0"],
    "seq slice": lambda lib: (repr(seq(lib)[1:3]), type(seq(lib)[::2]).__name__,
                              keys(seq(lib)[::-2])),
    "seq slice keeps names": lambda lib: keys(lib.nn.Sequential(OrderedDict(
        [("a", defs(lib).Plus()), ("b", defs(lib).Plus())]))[1:]),
    "seq len": lambda lib: len(seq(lib)),
    "seq iter": _iter_ops,
    "seq append": lambda lib: _mutate(lib, lambda lib, s: s.append(defs(lib).Plus()) is s),
    "seq insert": lambda lib: _mutate(lib, lambda lib, s: s.insert(1, defs(lib).Plus()) is s),
    "seq insert negative": lambda lib: _mutate(lib, lambda lib, s: s.insert(-1, defs(lib).Plus())),
    "seq insert end": lambda lib: _mutate(lib, lambda lib, s: s.insert(4, defs(lib).Plus())),
    "seq insert out of range": lambda lib: _mutate(lib, lambda lib, s: s.insert(
        9, defs(lib).Plus())),
    "seq insert not module": lambda lib: _mutate(lib, lambda lib, s: s.insert(0, 3)),
    "seq extend": lambda lib: _mutate(lib, lambda lib, s: s.extend(seq(lib, 2)) is s),
    "seq extend list": lambda lib: _mutate(lib, lambda lib, s: s.extend([defs(lib).Plus()])),
    "seq pop": lambda lib: _mutate(lib, lambda lib, s: s.pop(1)),
    "seq pop slice": lambda lib: _mutate(lib, lambda lib, s: s.pop(slice(0, 2))),
    "seq delitem": lambda lib: _mutate(lib, lambda lib, s: s.__delitem__(0)),
    "seq delitem negative": lambda lib: _mutate(lib, lambda lib, s: s.__delitem__(-1)),
    "seq delitem slice": lambda lib: _mutate(lib, lambda lib, s: s.__delitem__(slice(1, 3))),
    "seq setitem": lambda lib: _mutate(lib, lambda lib, s: s.__setitem__(2, defs(lib).Plus())),
    "seq setitem negative": lambda lib: _mutate(
        lib, lambda lib, s: s.__setitem__(-4, defs(lib).Plus())),
    "seq setitem not module": lambda lib: _mutate(lib, lambda lib, s: s.__setitem__(0, 3)),
    "seq add": lambda lib: _mutate(lib, lambda lib, s: repr(s + seq(lib, 2))),
    "seq add bad": lambda lib: _mutate(lib, lambda lib, s: s + 3),
    "seq iadd": lambda lib: _mutate(lib, lambda lib, s: s.__iadd__(seq(lib, 1)) is s),
    "seq iadd bad": lambda lib: _mutate(lib, lambda lib, s: s.__iadd__([1])),
    "seq mul": lambda lib: _mutate(lib, lambda lib, s: (repr(s * 2), keys(s * 2))),
    "seq rmul": lambda lib: _mutate(lib, lambda lib, s: keys(2 * s[:2])),
    "seq mul zero": lambda lib: _mutate(lib, lambda lib, s: s * 0),
    "seq mul float": lambda lib: _mutate(lib, lambda lib, s: s * 1.5),
    "seq imul": lambda lib: _mutate(lib, lambda lib, s: s.__imul__(2) is s),
    "seq dir": _dir_digits,
    "seq deepcopy shared": _deepcopy,
    # ModuleList
    "modulelist repr": lambda lib: repr(_ml(lib)),
    "modulelist repeated repr": lambda lib: repr(lib.nn.ModuleList(
        [defs(lib).Plus()] * 3 + [defs(lib).Scale(1), defs(lib).Scale(1), defs(lib).Scale(2)])),
    "modulelist index": lambda lib: (repr(_ml(lib)[-1]), repr(_ml(lib)[0:2])),
    "modulelist index error": lambda lib: _ml(lib)[3],
    "modulelist negative error": lambda lib: _ml(lib)[-4],
    "modulelist append": lambda lib: _ml_mutate(lib, lambda lib, m: m.append(defs(lib).Plus()) is m),
    "modulelist extend": lambda lib: _ml_mutate(lib, lambda lib, m: m.extend(_ml(lib, 2)) is m),
    "modulelist extend bad": lambda lib: _ml_mutate(lib, lambda lib, m: m.extend(3)),
    "modulelist extend not module": lambda lib: _ml_mutate(lib, lambda lib, m: m.extend([3])),
    "modulelist insert": lambda lib: _ml_mutate(lib, lambda lib, m: m.insert(1, defs(lib).Plus())),
    "modulelist insert negative": lambda lib: _ml_mutate(
        lib, lambda lib, m: m.insert(-1, defs(lib).Plus())),
    "modulelist pop": lambda lib: _ml_mutate(lib, lambda lib, m: m.pop(0)),
    "modulelist delitem slice": lambda lib: _ml_mutate(
        lib, lambda lib, m: m.__delitem__(slice(0, 2))),
    "modulelist setitem": lambda lib: _ml_mutate(
        lib, lambda lib, m: m.__setitem__(-1, defs(lib).Plus())),
    "modulelist add": lambda lib: _ml_mutate(lib, lambda lib, m: repr(m + [defs(lib).Plus()])),
    "modulelist iadd": lambda lib: _ml_mutate(lib, lambda lib, m: m.__iadd__(_ml(lib, 1)) is m),
    "modulelist call": lambda lib: _ml(lib)(lib.ones(1)),
    "modulelist params": lambda lib: [n for n, _ in _ml(lib).named_parameters()],
    # ModuleDict
    "moduledict repr": lambda lib: repr(_md(lib)),
    "moduledict methods": _md_methods,
    "moduledict setitem": lambda lib: _md_mutate(
        lib, lambda lib, m: m.__setitem__("c", defs(lib).Plus())),
    "moduledict delitem": lambda lib: _md_mutate(lib, lambda lib, m: m.__delitem__("b")),
    "moduledict missing": lambda lib: _md(lib)["zz"],
    "moduledict update bad": lambda lib: _md_mutate(lib, lambda lib, m: m.update(3)),
    "moduledict update bad element": lambda lib: _md_mutate(lib, lambda lib, m: m.update([3])),
    "moduledict update bad length": lambda lib: _md_mutate(
        lib, lambda lib, m: m.update([("a", defs(lib).Plus(), 1)])),
    "moduledict not module": lambda lib: _md_mutate(lib, lambda lib, m: m.__setitem__("c", 3)),
    "moduledict dotted key": lambda lib: _md_mutate(
        lib, lambda lib, m: m.__setitem__("c.d", defs(lib).Plus())),
    # ParameterList
    "paramlist repr": lambda lib: repr(_pl(lib)),
    "paramlist mixed repr": lambda lib: repr(lib.nn.ParameterList(
        [lib.zeros(2, 3), "text", lib.zeros((), dtype=lib.float64), 3])),
    "paramlist empty repr": lambda lib: repr(lib.nn.ParameterList()),
    "paramlist values": lambda lib: list(_pl(lib)),
    "paramlist index": lambda lib: (_pl(lib)[-1], repr(_pl(lib)[0:1])),
    "paramlist index error": lambda lib: _pl(lib)[2],
    "paramlist append": lambda lib: _pl_mutate(lib, lambda lib, p: p.append(lib.ones(4)) is p),
    "paramlist extend": lambda lib: _pl_mutate(lib, lambda lib, p: p.extend([lib.ones(1)]) is p),
    "paramlist extend tensor": lambda lib: _pl_mutate(lib, lambda lib, p: p.extend(lib.ones(2))),
    "paramlist extend bad": lambda lib: _pl_mutate(lib, lambda lib, p: p.extend(3)),
    "paramlist setitem": lambda lib: _pl_mutate(
        lib, lambda lib, p: p.__setitem__(0, lib.ones(5))),
    "paramlist iadd": lambda lib: _pl_mutate(lib, lambda lib, p: p.__iadd__([lib.ones(1)]) is p),
    "paramlist call": lambda lib: _pl(lib)(),
    "paramlist int tensor": lambda lib: lib.nn.ParameterList([lib.ones(2, dtype=lib.int64)]),
    "paramlist double": lambda lib: [str(p.dtype) for p in _pl(lib).double()],
    # ParameterDict
    "paramdict repr": lambda lib: repr(_pd(lib)),
    "paramdict sorted from dict": lambda lib: list(lib.nn.ParameterDict(
        {"z": lib.ones(1), "a": lib.ones(1)}).keys()),
    "paramdict ordereddict order": lambda lib: list(lib.nn.ParameterDict(OrderedDict(
        [("z", lib.ones(1)), ("a", lib.ones(1))])).keys()),
    "paramdict pairs": lambda lib: list(lib.nn.ParameterDict(
        [("z", lib.ones(1)), ("a", lib.ones(1))]).keys()),
    "paramdict values": lambda lib: dict(_pd(lib).items()),
    "paramdict methods": _pd_methods,
    "paramdict missing": lambda lib: _pd(lib)["zz"],
    "paramdict non-str key": lambda lib: _pd_mutate(lib, lambda lib, p: p.__setitem__(1, None)),
    "paramdict delitem": lambda lib: _pd_mutate(lib, lambda lib, p: p.__delitem__("w")),
    "paramdict pop": lambda lib: _pd_mutate(lib, lambda lib, p: p.pop("b")),
    "paramdict update bad": lambda lib: _pd_mutate(lib, lambda lib, p: p.update(3)),
    "paramdict update bad element": lambda lib: _pd_mutate(lib, lambda lib, p: p.update([3])),
    "paramdict update bad length": lambda lib: _pd_mutate(lib, lambda lib, p: p.update([(1,)])),
    "paramdict object value": lambda lib: _pd_mutate(lib, lambda lib, p: p.__setitem__("o", "x")),
    "paramdict call": lambda lib: _pd(lib)(1),
    # nesting, copying
    "nested repr": _nested_repr,
    "pickle": _pickle,
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_container_like_torch(case):
    assert_same_outcome(CASES[case])
