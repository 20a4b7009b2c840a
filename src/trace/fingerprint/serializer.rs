//! The scalar half of the fingerprint serializer: every primitive becomes one or two
//! tagged words; strings and bytes become a length word and their bytes, or one word
//! with tag and length for up to six bytes.

use super::{short_bytes_word, tag, Counted, HashError, Words, SHORT_BYTES};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// Streams `Display` output into the hash in the same words [`Words::bytes`] makes.
struct StrSink<'a> {
    words: &'a mut Words,
    pending: [u8; 8],
    filled: usize,
}

impl fmt::Write for StrSink<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            self.pending[self.filled] = b;
            self.filled += 1;
            if self.filled == 8 {
                self.words.word(u64::from_le_bytes(self.pending));
                self.filled = 0;
            }
        }
        Ok(())
    }
}

/// Collects the `Display` output of a string short enough for one word.
struct ShortSink {
    bytes: [u8; SHORT_BYTES],
    filled: usize,
}

impl fmt::Write for ShortSink {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.filled + s.len();
        // The length was counted first; output that grows between the two passes fails.
        let slot = self.bytes.get_mut(self.filled..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.filled = end;
        Ok(())
    }
}

/// Counts the bytes of `Display` output, for the length that leads a string.
struct LenSink(u64);

impl fmt::Write for LenSink {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len() as u64;
        Ok(())
    }
}

impl<'a> Serializer for &'a mut Words {
    type Ok = ();
    type Error = HashError;
    type SerializeSeq = Counted<'a>;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Counted<'a>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<(), HashError> {
        self.tagged(tag::BOOL, u64::from(v));
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), HashError> {
        self.tagged(tag::I8, u64::from(v as u8));
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<(), HashError> {
        self.tagged(tag::I16, u64::from(v as u16));
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<(), HashError> {
        self.tagged(tag::I32, u64::from(v as u32));
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), HashError> {
        // 56-bit two's complement is exact for -2^55..2^55; a distinct tag keeps the
        // two forms from ever sharing a word sequence.
        if (-(1i64 << 55)..(1i64 << 55)).contains(&v) {
            self.tagged(tag::I64_SMALL, v as u64);
        } else {
            self.tagged(tag::I64, 0);
            self.word(v as u64);
        }
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), HashError> {
        self.tagged(tag::I128, 0);
        self.word(v as u64);
        self.word((v >> 64) as u64);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), HashError> {
        self.tagged(tag::U8, u64::from(v));
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), HashError> {
        self.tagged(tag::U16, u64::from(v));
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), HashError> {
        self.tagged(tag::U32, u64::from(v));
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), HashError> {
        if v < (1u64 << 56) {
            self.tagged(tag::U64_SMALL, v);
        } else {
            self.tagged(tag::U64, 0);
            self.word(v);
        }
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), HashError> {
        self.tagged(tag::U128, 0);
        self.word(v as u64);
        self.word((v >> 64) as u64);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), HashError> {
        self.tagged(tag::F32, u64::from(v.to_bits()));
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), HashError> {
        self.tagged(tag::F64, 0);
        self.word(v.to_bits());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), HashError> {
        self.tagged(tag::CHAR, u64::from(v));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), HashError> {
        self.bytes(tag::STR, v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), HashError> {
        self.bytes(tag::BYTES, v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), HashError> {
        self.tagged(tag::NONE, 0);
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), HashError> {
        self.tagged(tag::SOME, 0);
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), HashError> {
        self.tagged(tag::UNIT, 0);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), HashError> {
        self.tagged(tag::UNIT_STRUCT, 0);
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
    ) -> Result<(), HashError> {
        self.tagged(tag::VARIANT, u64::from(index));
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), HashError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        value: &T,
    ) -> Result<(), HashError> {
        self.tagged(tag::VARIANT, u64::from(index));
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Counted<'a>, HashError> {
        Ok(open_counted(self, len, tag::SEQ, tag::SEQ_END))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, HashError> {
        self.tagged(tag::TUPLE, len as u64);
        Ok(self)
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, HashError> {
        self.tagged(tag::TUPLE_STRUCT, len as u64);
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Self, HashError> {
        self.tagged(tag::VARIANT, u64::from(index));
        self.tagged(tag::TUPLE, len as u64);
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Counted<'a>, HashError> {
        Ok(open_counted(self, len, tag::MAP, tag::MAP_END))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Self, HashError> {
        self.tagged(tag::STRUCT, len as u64);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<Self, HashError> {
        self.tagged(tag::VARIANT, u64::from(index));
        self.tagged(tag::STRUCT, len as u64);
        Ok(self)
    }

    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<(), HashError> {
        // Formatting twice (once to count) keeps the words identical to serialize_str's
        // without a buffer.
        let mut len = LenSink(0);
        fmt::write(&mut len, format_args!("{value}")).map_err(|_| HashError)?;
        if len.0 <= SHORT_BYTES as u64 {
            let mut short = ShortSink {
                bytes: [0; SHORT_BYTES],
                filled: 0,
            };
            fmt::write(&mut short, format_args!("{value}")).map_err(|_| HashError)?;
            self.word(short_bytes_word(tag::STR, &short.bytes[..short.filled]));
            return Ok(());
        }
        self.tagged(tag::STR, len.0);
        let mut sink = StrSink {
            words: self,
            pending: [0; 8],
            filled: 0,
        };
        fmt::write(&mut sink, format_args!("{value}")).map_err(|_| HashError)?;
        if sink.filled > 0 {
            sink.pending[sink.filled..].fill(0);
            let last = u64::from_le_bytes(sink.pending);
            sink.words.word(last);
        }
        Ok(())
    }
}

fn open_counted(words: &mut Words, len: Option<usize>, start: u64, end: u64) -> Counted<'_> {
    match len {
        Some(n) => {
            words.tagged(start, n as u64);
            Counted {
                words,
                end_tag: None,
                count: 0,
            }
        }
        None => Counted {
            words,
            end_tag: Some(end),
            count: 0,
        },
    }
}
