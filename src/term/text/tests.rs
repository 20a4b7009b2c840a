use super::*;
use crate::term::{atom, strategy};
use proptest::prelude::*;

fn err(text: &str) -> TermParseError {
    parse_term(text).expect_err(text)
}

#[test]
fn reads_what_display_writes() {
    let t =
        parse_term(" { shutdown , [ 1, -2 , 'EXIT' ] , <0.12.0>, #Ref<0.0.0.7>, <<\"a\\\"b\">> } ");
    let expected = Term::tuple_of([
        atom("shutdown"),
        Term::list([Term::Int(1), Term::Int(-2), atom("EXIT")]),
        Term::Pid(Pid::from_parts(0, 12)),
        Term::Ref(Ref(7)),
        Term::bin("a\"b"),
    ]);
    assert_eq!(t, Ok(expected));
}

#[test]
fn accepts_conveniences() {
    assert_eq!(parse_term("\"hi\\n\""), Ok(Term::bin("hi\n")));
    assert_eq!(parse_term("<<>>"), Ok(Term::bin("")));
    assert_eq!(parse_term("{}"), Ok(Term::tuple_of([])));
    assert_eq!(parse_term("[ ]"), Ok(Term::list([])));
    assert_eq!(parse_term("'a\\sb'"), Ok(atom("a b")));
    assert_eq!(parse_term("-9223372036854775808"), Ok(Term::Int(i64::MIN)));
    assert_eq!("<0.3.0>".parse::<Pid>(), Ok(Pid::from_parts(7, 3)));
    assert_eq!("#Ref<0.0.0.9>".parse::<Ref>(), Ok(Ref(9)));
    assert_eq!("node@host".parse::<Term>(), Ok(atom("node@host")));
}

#[test]
fn says_where_and_what() {
    let e = err("{a,b]");
    assert_eq!(e.offset(), 4);
    assert_eq!(e.message(), "expected `,` or `}`, found `]`");
    assert_eq!(err("").message(), "expected a term, found end of input");
    assert_eq!(err("a b").offset(), 2);
    assert!(err("Foo").message().contains("needs quotes"));
    assert!(err("'abc").message().contains("unterminated quoted atom"));
    assert!(err("'a\\qb'").message().contains("found `\\q`"));
    assert_eq!(
        err("99999999999999999999").message(),
        "integer does not fit in 64 bits"
    );
    assert!(err("<1.2.3>").message().contains("pid"));
    assert!(err("<0.99999999999.0>").message().contains("out of range"));
    assert!(err("#Ref<1.2.3.4>").message().contains("reference"));
    assert!("a".parse::<Pid>().is_err());
    assert!("<0.1.0>".parse::<Ref>().is_err());
}

#[test]
fn limits_nesting_without_recursion() {
    let ok = format!(
        "{}{}",
        "[".repeat(MAX_PARSE_DEPTH),
        "]".repeat(MAX_PARSE_DEPTH)
    );
    assert!(parse_term(&ok).is_ok());
    let deep = format!(
        "{}{}",
        "{".repeat(MAX_PARSE_DEPTH + 1),
        "}".repeat(MAX_PARSE_DEPTH + 1)
    );
    let e = err(&deep);
    assert_eq!(e.offset(), MAX_PARSE_DEPTH);
    assert!(e.message().contains("nested deeper"));
    assert!(parse_term(&"[".repeat(1_000_000)).is_err());
}

proptest! {
    #[test]
    fn display_then_parse_is_identity(t in strategy::term()) {
        prop_assert_eq!(parse_term(&t.to_string()), Ok(t));
    }

    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC{0,64}") {
        let _ = parse_term(&s);
    }

    #[test]
    fn never_panics_on_term_like_text(s in "[-{}\\[\\],<>\"'#.0-9a-zR\\\\ ]{0,48}") {
        let _ = parse_term(&s);
    }
}
