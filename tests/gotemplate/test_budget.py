"""The execution budget (gotemplate/budget.py): every limit stops a run with an error naming it,
raised before the work it would bound is done, as an ExecError with the template position."""

from __future__ import annotations

import time

import pytest

from sidecarctl.gotemplate import ExecError, funcmap, parse
from sidecarctl.gotemplate.budget import Budget, BudgetExceeded, budget_scope, charge_value, current_budget
from sidecarctl.gotemplate.gotypes import GoFunc, GoObject


def render(text: str, data: object = None, budget: Budget | None = None) -> str:
    tmpl = parse(text, "t", funcmap("istio"))
    if budget is None:
        return tmpl.execute(data)
    with budget_scope(budget):
        return tmpl.execute(data)


STEP_LIMIT = "template steps"
OUTPUT_LIMIT = "output larger than"

RUNAWAY = [
    ("range-until", "{{ range until 100000000 }}x{{ end }}", "at <until 100000000>", STEP_LIMIT),
    ("seq", "{{ seq 1 100000000 }}", "at <seq 1 100000000>", STEP_LIMIT),
    ("untilStep", "{{ untilStep 0 100000000 1 }}", "error calling untilStep", STEP_LIMIT),
    ("randAlphaNum", "{{ randAlphaNum 50000000 }}", "error calling randAlphaNum", OUTPUT_LIMIT),
    ("randAscii", "{{ randAscii 50000000 }}", "error calling randAscii", OUTPUT_LIMIT),
    ("repeat", '{{ repeat 50000000 "ab" }}', "error calling repeat", OUTPUT_LIMIT),
    (
        "printf-doubling",
        '{{ $s := "xxxxxxxx" }}{{ range until 40 }}{{ $s = printf "%s%s" $s $s }}{{ end }}',
        "error calling printf",
        OUTPUT_LIMIT,
    ),
    (
        "append-quadratic",
        "{{ $l := list }}{{ range until 100000 }}{{ $l = append $l . }}{{ end }}",
        "error calling append",
        STEP_LIMIT,
    ),
    (
        "toJson-shared",
        '{{ $d := dict "a" 1 }}{{ range until 60 }}{{ $d = dict "a" $d "b" $d }}{{ end }}{{ toJson $d }}',
        "error calling toJson",
        STEP_LIMIT,
    ),
    (
        "print-shared",
        "{{ $d := list 1 }}{{ range until 60 }}{{ $d = list $d $d }}{{ end }}{{ $d }}",
        "executing",
        STEP_LIMIT,
    ),
    ("written-output", "{{ range until 5000000 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}", "executing", OUTPUT_LIMIT),
    ("join", '{{ join "," (until 9000000) }}', "error calling join", STEP_LIMIT),
    (
        "printf-width",
        '{{ printf (repeat 20 "%10000000d") 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 }}',
        "error calling printf",
        OUTPUT_LIMIT,
    ),
    ("splitList", '{{ splitList "" (repeat 16000000 "a") | len }}', "error calling splitList", STEP_LIMIT),
]


@pytest.mark.parametrize("text,where,limit", [c[1:] for c in RUNAWAY], ids=[c[0] for c in RUNAWAY])
def test_runaway_templates_stop_naming_the_limit(text: str, where: str, limit: str) -> None:
    with pytest.raises(ExecError) as e:
        render(text)
    message = str(e.value)
    assert message.startswith("template: t:1:"), message
    assert where in message and limit in message and "sidecarctl's" in message, message


def test_limits_come_from_the_scope() -> None:
    small = Budget(max_steps=100, max_output=50)
    # until charges the elements it builds, the range one step per iteration
    assert render("{{ range until 50 }}{{ end }}ok", budget=small) == "ok"
    with pytest.raises(ExecError, match="limit of 100 template steps"):
        render("{{ range until 51 }}{{ end }}", budget=small)
    with pytest.raises(ExecError, match="limit of 50 characters"):
        render("{{ range until 20 }}xxx{{ end }}", budget=small)


def test_each_execution_gets_the_limits_afresh() -> None:
    budget = Budget(max_steps=100)
    with budget_scope(budget):
        tmpl = parse("{{ range until 40 }}{{ end }}ok", "t", funcmap("sprig"))
        assert [tmpl.execute(None) for _ in range(3)] == ["ok"] * 3
    assert current_budget() is None


def test_a_passed_deadline_stops_a_loop_naming_the_time_limit() -> None:
    with pytest.raises(ExecError, match="template time limit \\(the request's deadline"):
        render("{{ range until 5000 }}{{ end }}", budget=Budget(deadline=time.monotonic() - 1))


def test_time_limit_names_the_seconds() -> None:
    meter = Budget(seconds=0.001).start()
    meter.deadline = time.monotonic() - 1
    with pytest.raises(BudgetExceeded, match=r"time limit \(0.001 s; see --template-timeout\)"):
        meter.check_time()


def test_charge_value_counts_every_path_once_per_container() -> None:
    shared = [1, 2, 3]
    value = {"a": shared, "b": [shared, shared]}
    meter = Budget().start()
    with budget_scope(meter):
        charge_value(value)
    assert meter.steps == 2 + 3 + 2 + 3 + 3  # a, b; a's 3; b's 2 and their 3 each


def test_charge_value_refuses_a_cycle() -> None:
    cyclic: dict[str, object] = {}
    cyclic["self"] = [1, cyclic]
    meter = Budget().start()
    with budget_scope(meter), pytest.raises(BudgetExceeded, match="containing itself"):
        charge_value(cyclic)


def test_charge_value_takes_shared_values_that_are_no_cycle() -> None:
    shared: list[object] = [[1]]
    meter = Budget().start()
    with budget_scope(meter):
        charge_value({"a": shared, "b": [shared, shared]})
    assert meter.steps == 2 + 2 + 2 * 3  # a, b; a's 1 + its list's 1; b's 2 and 2 per shared


@pytest.mark.parametrize(
    "name,alphabet",
    [
        ("randAlphaNum", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
        ("randAlpha", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
        ("randNumeric", "0123456789"),
        ("randAscii", "".join(map(chr, range(32, 127)))),
    ],
)
def test_random_strings_use_the_whole_alphabet(name: str, alphabet: str) -> None:
    out = render(f"{{{{ {name} 20000 }}}}")
    assert len(out) == 20000 and set(out) == set(alphabet)


def test_functions_outside_an_execution_are_bounded_per_call() -> None:
    until = funcmap("sprig")["until"].fn
    with pytest.raises(BudgetExceeded, match="template steps"):
        until(100_000_000)
    assert len(until(1000)) == 1000


def test_printf_numbers_past_a_million_end_the_format_as_in_go() -> None:
    """Go's parsenum stops at tooLarge (> 10**6): the rest of the format is swallowed."""
    assert render('{{ printf "%9999999999d|" 1 }}') == "%!(NOVERB)%!(EXTRA int=1)"
    assert render('{{ printf "%.99999999f|" 1.5 }}') == "%!(NOVERB)%!(EXTRA float64=1.5)"
    assert len(render('{{ printf "%1000000d" 1 }}')) == 1000000


@pytest.mark.parametrize(
    "text",
    ['{{ upper "a" }}', '{{ range until 3 }}{{ lower "A" }}{{ end }}', "{{ .Get }}"],
    ids=["function", "function-in-short-range", "method"],
)
def test_every_call_reads_the_clock(text: str) -> None:
    """A call can take long on its own (a 1M-element deepEqual); the clock is read before each,
    not only every so many cheap steps."""

    class Obj(GoObject):
        go_type = "main.Obj"

        def go_method(self, name: str) -> GoFunc | None:
            return GoFunc("Get", lambda: "got", (), False, False, "string") if name == "Get" else None

    with pytest.raises(ExecError, match="template time limit"):
        render(text, Obj(), Budget(deadline=time.monotonic() - 1))


RUNE_FUNCS = [
    "upper",
    "lower",
    "title",
    "untitle",
    "nospace",
    "initials",
    "swapcase",
    "shuffle",
    "snakecase",
    "kebabcase",
    "camelcase",
]


@pytest.mark.parametrize("name", RUNE_FUNCS)
def test_rune_wise_string_functions_charge_a_step_per_rune(name: str) -> None:
    """Each walks its argument rune by rune in Python (up to 3 µs a rune): a string built
    cheaply (`repeat`) must not buy unbounded work, in one call or in many."""
    with pytest.raises(ExecError, match=STEP_LIMIT):
        render('{{ %s (repeat 2000 "aB_") }}' % name, budget=Budget(max_steps=5000))
    assert render('{{ %s (repeat 2 "aB_") | len }}' % name, budget=Budget(max_steps=50)).isdigit()


@pytest.mark.parametrize("name", ["snakecase", "kebabcase", "camelcase", "swapcase"])
def test_the_slowest_rune_loops_read_the_clock(name: str) -> None:
    """These run seconds on the longest string the step limit allows; they stop at the deadline."""
    fn = funcmap("istio")[name].fn
    with budget_scope(Budget(deadline=time.monotonic() - 1)), pytest.raises(BudgetExceeded, match="time limit"):
        fn("aB_c" * 5000)


@pytest.mark.parametrize(
    "text,budget,limit",
    [
        (
            '{{ regexReplaceAll "(a+)" (repeat 1000 "a") (repeat 100 "$1") | len }}',
            Budget(max_output=50_000),
            OUTPUT_LIMIT,
        ),
        ('{{ regexReplaceAll "" (repeat 5000 "a") "" }}', Budget(max_steps=2_000), STEP_LIMIT),
    ],
    ids=["group-expansion", "many-matches"],
)
def test_regex_replace_charges_what_it_expands_and_finds(text: str, budget: Budget, limit: str) -> None:
    """$1 expands to the group's text, which may be far longer than the template; and each match
    found is work and memory: 5M matches took 15 s and 1.7 GB before the output limit spoke."""
    with pytest.raises(ExecError, match=limit):
        render(text, budget=budget)


@pytest.mark.parametrize(
    "text,expected",
    [
        ('{{ atoi (repeat 5000 "9") }}', "9223372036854775807"),
        ('{{ atoi (printf "-%s" (repeat 5000 "9")) }}', "-9223372036854775808"),
        (
            '{{ semverCompare ">1.0.0" (repeat 5000 "9") }}',
            'error calling semverCompare: Error parsing version segment: strconv.ParseUint: parsing "9999',
        ),
        ('{{ semverCompare ">1.0.0" (printf "1.0.0-%s" (repeat 5000 "9")) }}', "false"),
        ('{{ semverCompare (printf "<1.0.0-%s" (repeat 5000 "9")) (printf "1.0.0-%s" (repeat 5000 "8")) }}', "true"),
    ],
    ids=["atoi-max", "atoi-min", "semver-segment", "semver-prerelease", "semver-prerelease-compare"],
)
def test_numbers_longer_than_pythons_int_digit_limit_take_gos_path(text: str, expected: str) -> None:
    """Python refuses int() of more than 4,300 digits (its own message, no Go error): numbers
    that long are out of Go's range, and clamp or fail as Go's do."""
    try:
        result = render(text)
    except ExecError as e:
        result = str(e)
    assert expected in result
    assert "int_max_str_digits" not in result


def test_semver_constraints_charge_a_step_each() -> None:
    """Each constraint is parsed (two regex matches and a version): 2M of them ran for minutes."""
    with pytest.raises(ExecError, match=STEP_LIMIT):
        render('{{ semverCompare (repeat 3000 ">1 ") "1.0.0" }}', budget=Budget(max_steps=1000))
    with pytest.raises(ExecError, match=STEP_LIMIT):
        render('{{ semverCompare (repeat 3000 "1 - 2 ") "1.0.0" }}', budget=Budget(max_steps=1000))


@pytest.mark.parametrize(
    "text",
    [
        '{{ dateInZone (repeat 20000 "1") now "UTC" }}',
        '{{ date (repeat 20000 "1") now }}',
        '{{ now.Format (repeat 20000 "1") }}',
        '{{ toDate (repeat 20000 "1") (repeat 20000 "1") }}',
    ],
    ids=["dateInZone", "date", "Format", "toDate"],
)
def test_time_layouts_charge_their_quadratic_walk(text: str) -> None:
    """Go's layout walk hands the rest of the layout on as a slice; in Python each is a copy, so
    a layout costs its length squared (1M characters ran over 40 s): charged before the walk."""
    with pytest.raises(ExecError, match=STEP_LIMIT):
        render(text, budget=Budget(max_steps=100_000))


@pytest.mark.parametrize(
    "text",
    [
        '{{ durationRound (repeat 20000 "1h") }}',
        '{{ dateModify (repeat 20000 "1h") now }}',
        '{{ mustDateModify (repeat 20000 "1h") now }}',
    ],
    ids=["durationRound", "dateModify", "mustDateModify"],
)
def test_durations_charge_their_quadratic_walk(text: str) -> None:
    with pytest.raises(ExecError, match=STEP_LIMIT):
        render(text, budget=Budget(max_steps=100_000))


@pytest.mark.parametrize(
    "text,expected",
    [
        ('{{ durationRound (printf "%sh" (repeat 5000 "1")) }}', "0s"),
        (
            '{{ mustDateModify (printf "%sh" (repeat 5000 "1")) now }}',
            'error calling mustDateModify: time: invalid duration "1111',
        ),
    ],
    ids=["durationRound", "mustDateModify"],
)
def test_durations_past_pythons_int_digit_limit_are_gos_overflow(text: str, expected: str) -> None:
    try:
        result = render(text)
    except ExecError as e:
        result = str(e)
    assert result.startswith(expected) or expected in result
    assert "int_max_str_digits" not in result


def test_pretty_json_charges_its_indentation() -> None:
    """Indentation grows with depth for every element: a 100,000-element list under 990 levels
    made 200M characters (430 MB) uncharged."""
    text = '{{ $d := dict "l" (until 2000) }}{{ range until 50 }}{{ $d = list $d }}{{ end }}{{ toPrettyJson $d | len }}'
    with pytest.raises(ExecError, match=OUTPUT_LIMIT):
        render(text, budget=Budget(max_output=100_000))


def test_to_yaml_charges_its_indentation(monkeypatch: pytest.MonkeyPatch) -> None:
    """As toPrettyJson: 100,000 elements under 990 levels made 200M characters (430 MB)."""
    from sidecarctl.gotemplate import istio
    from sidecarctl.yamlio import dump_yaml

    monkeypatch.setattr(istio, "_yaml_dumper", dump_yaml)

    text = '{{ $d := dict "l" (until 2000) }}{{ range until 50 }}{{ $d = dict "a" $d }}{{ end }}{{ toYaml $d | len }}'
    with pytest.raises(ExecError, match=OUTPUT_LIMIT):
        render(text, budget=Budget(max_output=100_000))


@pytest.mark.parametrize(
    "text,expected",
    [
        ('{{ b64dec "aGVsbG8=" }}', "hello"),
        ('{{ b64dec "aGVs\\r\\nbG8=" }}', "hello"),
        ('{{ b64dec "YR==" }}', "a"),  # non-zero trailing bits: Go's StdEncoding accepts them
        ('{{ b64dec "aGVsbG8" }}', "illegal base64 data at input byte 4"),
        ('{{ b64dec "aG=sbG8=" }}', "illegal base64 data at input byte 2"),
    ],
    ids=["padded", "line-breaks", "trailing-bits", "unpadded", "inner-padding"],
)
def test_b64dec_fast_path_keeps_gos_answers(text: str, expected: str) -> None:
    """Canonical input is decoded in C (the Go-shaped walk took ~0.5 µs a character, seconds
    past the time limit for a 16M-character string); the rest still gets Go's error offset."""
    assert render(text) == expected
