//! Terms through a compact (not human-readable) serde format: the structural shape the
//! fingerprint hashes must also read back. The format here is a minimal token stream
//! written for this test, since no compact format is a dependency.

use otpsim::term::{atom, Atom, Pid, Ref, Term};
use proptest::prelude::*;
use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, SeqAccess, VariantAccess, Visitor,
};
use serde::ser::{self, Impossible, SerializeSeq};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    I64(i64),
    U32(u32),
    U64(u64),
    Str(String),
    Variant(u32),
    Seq(usize),
}

#[derive(Debug)]
struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for Error {}
impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error(msg.to_string())
    }
}
impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error(msg.to_string())
    }
}

fn unsupported<T>() -> Result<T, Error> {
    Err(Error("not used by terms".into()))
}

struct Tokens(Vec<Tok>);

macro_rules! unsupported_methods {
    ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<$ret, Error> { unsupported() })*
    };
}

impl ser::Serializer for &mut Tokens {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn is_human_readable(&self) -> bool {
        false
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.0.push(Tok::I64(v));
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.0.push(Tok::U32(v));
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.0.push(Tok::U64(v));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.push(Tok::Str(v.to_string()));
        Ok(())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.0.push(Tok::Variant(index));
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, Error> {
        self.0
            .push(Tok::Seq(len.ok_or_else(|| Error("length needed".into()))?));
        Ok(self)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), Error> {
        unsupported()
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        unsupported()
    }
    unsupported_methods! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(&'static str) -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

impl SerializeSeq for &mut Tokens {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

/// Reads tokens back, front to back.
struct Reader {
    toks: std::vec::IntoIter<Tok>,
}

impl Reader {
    fn next(&mut self) -> Result<Tok, Error> {
        self.toks
            .next()
            .ok_or_else(|| Error("out of tokens".into()))
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader {
    type Error = Error;

    fn is_human_readable(&self) -> bool {
        false
    }
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.next()? {
            Tok::I64(v) => visitor.visit_i64(v),
            Tok::U32(v) => visitor.visit_u32(v),
            Tok::U64(v) => visitor.visit_u64(v),
            Tok::Str(s) => visitor.visit_string(s),
            Tok::Seq(n) => visitor.visit_seq(Elements {
                reader: self,
                left: n,
            }),
            Tok::Variant(_) => Err(Error("unexpected variant".into())),
        }
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_enum(self)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

struct Elements<'a> {
    reader: &'a mut Reader,
    left: usize,
}

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

impl<'de> EnumAccess<'de> for &mut Reader {
    type Error = Error;
    type Variant = Self;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let Tok::Variant(index) = self.next()? else {
            return Err(Error("expected a variant".into()));
        };
        let value = seed.deserialize(index.into_deserializer())?;
        Ok((value, self))
    }
}

impl<'de> VariantAccess<'de> for &mut Reader {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        unsupported()
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }
    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Error> {
        unsupported()
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Error> {
        unsupported()
    }
}

fn tokens<T: Serialize>(value: &T) -> Vec<Tok> {
    let mut out = Tokens(Vec::new());
    value.serialize(&mut out).expect("terms serialize");
    out.0
}

fn read<T: for<'de> Deserialize<'de>>(toks: Vec<Tok>) -> Result<T, Error> {
    T::deserialize(&mut Reader {
        toks: toks.into_iter(),
    })
}

#[test]
fn compact_shape_is_structural() {
    let t = Term::tuple([atom("ok"), Term::Pid(Pid::from_parts(9, 4)), Term::Int(-1)]);
    assert_eq!(
        tokens(&t),
        vec![
            Tok::Variant(4),
            Tok::Seq(3),
            Tok::Variant(1),
            Tok::Str("ok".into()),
            Tok::Variant(3),
            Tok::U32(4),
            Tok::Variant(0),
            Tok::I64(-1),
        ]
    );
    assert_eq!(tokens(&Ref(7)), vec![Tok::U64(7)]);
    assert_eq!(tokens(&Atom::new("a b")), vec![Tok::Str("a b".into())]);
    assert!(read::<Term>(vec![Tok::Variant(7), Tok::I64(1)]).is_err());
}

fn term() -> impl Strategy<Value = Term> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(Term::Int),
        any::<String>().prop_map(|s| Term::atom_owned(&s)),
        any::<u64>().prop_map(|n| Term::Ref(Ref(n))),
        (any::<u32>(), any::<u32>())
            .prop_map(|(slot, serial)| Term::Pid(Pid::from_parts(slot, serial))),
        any::<String>().prop_map(|s| Term::bin(&s)),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Term::tuple),
            prop::collection::vec(inner, 0..5).prop_map(Term::list),
        ]
    })
}

proptest! {
    #[test]
    fn compact_round_trip(t in term()) {
        prop_assert_eq!(read::<Term>(tokens(&t)).unwrap(), t);
    }
}
