"""engine.catalog.records.fast_init: the faster __init__ builds exactly what the dataclass's would."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

import engine.catalog.spec
import engine.plan.live
import engine.plan.model
from engine.catalog.records import fast_init

DECORATED = sorted(
    (cls for module in (engine.catalog.spec, engine.plan.model, engine.plan.live)
     for cls in vars(module).values()
     if isinstance(cls, type) and cls.__module__ == module.__name__ and dataclasses.is_dataclass(cls)),
    key=lambda cls: cls.__qualname__)


def test_the_hot_values_have_it():
    fast = {cls.__name__ for cls in DECORATED if getattr(cls.__init__, "fast_init", False)}
    assert {"ProductSpec", "SkuSpec", "Ref", "FieldChange", "Action", "ProductPlan", "LiveProduct"} <= fast


@pytest.mark.parametrize("cls", DECORATED, ids=lambda cls: cls.__name__)
def test_same_signature_same_values_still_frozen(cls):
    fields = dataclasses.fields(cls)
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [f.name for f in fields]
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
    required = {f.name: object() for f in fields
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    first, second = cls(**required), cls(**required)
    for f in fields:
        expected = required[f.name] if f.name in required else (
            f.default if f.default is not dataclasses.MISSING else f.default_factory())
        assert getattr(first, f.name) == expected
        if f.default_factory is not dataclasses.MISSING and isinstance(expected, (dict, list, set)):
            assert getattr(first, f.name) is not getattr(second, f.name)  # a new one per object
    positional = cls(*[required.get(f.name, getattr(first, f.name)) for f in fields])
    assert positional == first
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(first, fields[0].name, None)


def test_classes_it_does_not_cover_keep_their_own_init():
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    assert fast_init(Checked) is Checked and not getattr(Checked.__init__, "fast_init", False)
    with pytest.raises(ValueError):
        Checked(-1)


def test_from_fields_builds_what_the_constructor_builds():
    from engine.catalog.records import from_fields
    from engine.catalog.spec import ProductSpec, Ref, SourceRef

    make = from_fields(ProductSpec, "key", "declared", "source")
    fields = {"title": "Kemeja Batik", "brand": Ref(None, "Batik Keris"), "skus": ()}
    built = make("k", frozenset({"title"}), SourceRef("f.yaml", 3), fields)
    expected = ProductSpec(key="k", declared=frozenset({"title"}), source=SourceRef("f.yaml", 3), **fields)
    assert built == expected and built.source == expected.source and built.status == "active"
    assert make("k", frozenset(), SourceRef(), {}) == ProductSpec(key="k", declared=frozenset())

    @dataclasses.dataclass(frozen=True)
    class Plain:  # no slots: not covered, built by its own __init__
        key: str
        size: int = 0

    assert from_fields(Plain, "key")("a", {"size": 3}) == Plain("a", 3)


@pytest.mark.parametrize("cls", DECORATED, ids=lambda cls: cls.__name__)
def test_maker_builds_what_the_constructor_builds(cls):
    """maker(cls) fills a same-layout twin and turns it into a `cls`: same type, same values,
    same defaults (a new default_factory value per object), still frozen."""
    from engine.catalog.records import maker

    fields = dataclasses.fields(cls)
    required = [object() for f in fields
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    make = maker(cls)
    built, expected = make(*required), cls(*required)
    assert type(built) is cls and built == expected
    assert all(getattr(built, f.name) == getattr(expected, f.name) for f in fields)
    if make is not cls:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(built, fields[0].name, None)
        for f in fields:
            if f.default_factory is not dataclasses.MISSING and isinstance(getattr(built, f.name), (dict, list, set)):
                assert getattr(built, f.name) is not getattr(make(*required), f.name)


def test_assembler_builds_what_the_constructor_builds():
    """assembler: given fields as arguments, computed ones through their handlers, fixed ones
    shared, the rest their defaults — equal to the constructor's object, and frozen."""
    from engine.catalog.records import assembler
    from engine.catalog.spec import ProductSpec, SourceRef

    seen = []

    def title(value, values):
        seen.append((value, sorted(values)))
        return value.strip()

    make = assembler(ProductSpec, ("key", "source"), {"title": title, "status": lambda v, _: v},
                     {"declared": frozenset({"title", "status"})})
    values = {"title": " Kemeja Batik ", "status": "inactive"}
    built = make("k", SourceRef("f.yaml", 2), values)
    expected = ProductSpec(key="k", title="Kemeja Batik", status="inactive", declared=frozenset({"title", "status"}),
                           source=SourceRef("f.yaml", 2))
    assert type(built) is ProductSpec and built == expected and built.source == expected.source
    assert built.skus == () and built.brand is None and seen == [(" Kemeja Batik ", ["status", "title"])]
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.title = "x"

    @dataclasses.dataclass(frozen=True)
    class Plain:  # no slots: not covered
        key: str

    assert assembler(Plain, ("key",), {}, {}) is None


def test_an_init_through_the_twin_keeps_class_and_values_and_subclasses_keep_theirs():
    from engine.catalog.records import TWIN_FROM
    from engine.plan.model import Action

    assert len(dataclasses.fields(Action)) >= TWIN_FROM  # Action's __init__ goes through the twin
    action = Action("create", ("TOKOPEDIA",), sends_to_review=True, note="n")
    assert type(action) is Action and action.note == "n" and action.platforms == ("TOKOPEDIA",)
    assert action == Action("create", ("TOKOPEDIA",), True, note="n") and hash(action) == hash(
        Action("create", ("TOKOPEDIA",), True, note="n"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        action.note = "other"

    class Tagged(Action):  # another layout (it has a __dict__): written through the descriptors
        pass

    tagged = Tagged("delete", ("TOKOPEDIA",))
    assert type(tagged) is Tagged and tagged.kind == "delete" and tagged.platforms == ("TOKOPEDIA",)
    assert hasattr(tagged, "__dict__") and not hasattr(action, "__dict__")
