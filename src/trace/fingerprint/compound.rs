//! The compound halves of the fingerprint serializer: elements and field values are
//! hashed in order; keys of maps are hashed, names of struct fields are not.

use super::{Counted, HashError, Words};
use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant,
};

impl SerializeSeq for Counted<'_> {
    type Ok = ();
    type Error = HashError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), HashError> {
        self.count += 1;
        value.serialize(&mut *self.words)
    }

    fn end(self) -> Result<(), HashError> {
        self.close();
        Ok(())
    }
}

impl SerializeMap for Counted<'_> {
    type Ok = ();
    type Error = HashError;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), HashError> {
        self.count += 1;
        key.serialize(&mut *self.words)
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), HashError> {
        value.serialize(&mut *self.words)
    }

    fn end(self) -> Result<(), HashError> {
        self.close();
        Ok(())
    }
}

impl SerializeTuple for &mut Words {
    type Ok = ();
    type Error = HashError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), HashError> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), HashError> {
        Ok(())
    }
}

impl SerializeTupleStruct for &mut Words {
    type Ok = ();
    type Error = HashError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), HashError> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), HashError> {
        Ok(())
    }
}

impl SerializeTupleVariant for &mut Words {
    type Ok = ();
    type Error = HashError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), HashError> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), HashError> {
        Ok(())
    }
}

impl SerializeStruct for &mut Words {
    type Ok = ();
    type Error = HashError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), HashError> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), HashError> {
        Ok(())
    }
}

impl SerializeStructVariant for &mut Words {
    type Ok = ();
    type Error = HashError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), HashError> {
        value.serialize(&mut **self)
    }

    fn end(self) -> Result<(), HashError> {
        Ok(())
    }
}
