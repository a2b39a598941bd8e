"""Sprig 3.2.3's `TxtFuncMap` in Python: `SPRIG_FUNCS` maps every Sprig name to a GoFunc that
declares the Go parameter types of Sprig's own function, so the executor can reproduce Go's
argument conversion and type errors. Behaviour follows Sprig 3.2.3 with the dependency versions
Debian 12 ships (cast 1.5.0, mergo 0.3.12, xstrings 1.3.3, semver 3.2.0, decimal 1.2.0,
goutils 1.1.1). Sprig's `slice` replaces text/template's builtin `slice` in this map.

The map is lazy (`gotemplate.funcs.LazyFuncMap`): a module is imported when one of its functions is
first looked up. The table below names each module's functions; tests check it against the modules.

Adding a function: define it in its module with its Go signature (the module's FUNCS holds it),
then list its name under the module here: the parser knows names before any module is imported."""

from __future__ import annotations

from sidecarctl.gotemplate.funcs import LazyFuncMap

_NAMES_BY_MODULE: dict[str, str] = {
    "strings": (
        "abbrev abbrevboth trunc substr repeat trimAll trimSuffix trimPrefix wrap wrapWith contains "
        "hasPrefix hasSuffix quote squote cat indent nindent replace plural toString split splitn "
        "splitList toStrings join sortAlpha trim upper lower title untitle nospace initials swapcase "
        "shuffle snakecase kebabcase camelcase hello atoi randAlphaNum randAlpha randNumeric randAscii "
        "trimall"
    ),
    "lists": (
        "list tuple concat append mustAppend push mustPush prepend mustPrepend chunk mustChunk last "
        "mustLast first mustFirst rest mustRest initial mustInitial reverse mustReverse compact "
        "mustCompact uniq mustUniq without mustWithout has mustHas slice mustSlice"
    ),
    "dicts": (
        "merge mustMerge mergeOverwrite mustMergeOverwrite get set unset hasKey pluck keys pick omit "
        "values dict deepCopy mustDeepCopy dig"
    ),
    "numeric": (
        "add add1 sub div mod mul maxf minf floor ceil round until untilStep seq toDecimal randInt max "
        "biggest min int int64 float64 add1f addf subf mulf divf"
    ),
    "defaults": ("default empty coalesce all any ternary fail"),
    "encoding": (
        "b64enc b64dec b32enc b32dec toJson mustToJson toPrettyJson mustToPrettyJson toRawJson "
        "mustToRawJson fromJson mustFromJson"
    ),
    "reflection": ("typeOf typeIs typeIsLike kindOf kindIs deepEqual"),
    "regex": (
        "regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind regexReplaceAll "
        "mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral regexSplit mustRegexSplit "
        "regexQuoteMeta"
    ),
    "semver": ("semver semverCompare"),
    "dates": (
        "ago date dateInZone date_in_zone dateModify date_modify mustDateModify must_date_modify duration "
        "durationRound htmlDate htmlDateInZone now toDate mustToDate unixEpoch"
    ),
    "crypto": (
        "sha1sum sha256sum adler32sum bcrypt htpasswd randBytes uuidv4 derivePassword encryptAES "
        "decryptAES genPrivateKey buildCustomCert genCA genCAWithKey genSelfSignedCert "
        "genSelfSignedCertWithKey genSignedCert genSignedCertWithKey"
    ),
    "paths": ("base dir clean ext isAbs osBase osDir osClean osExt osIsAbs urlParse urlJoin"),
    "osnet": ("env expandenv getHostByName"),
}

SPRIG_FUNCS = LazyFuncMap(__name__, _NAMES_BY_MODULE)

__all__ = ["SPRIG_FUNCS"]
