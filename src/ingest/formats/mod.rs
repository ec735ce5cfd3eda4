//! One parser per article format. Each turns a file's decoded text (or
//! its record stream) into [`Article`](crate::ingest::Article)s; which one
//! runs is decided by [`crate::ingest::detect`], and the file-level work
//! (opening, decoding, dates from the path, the undated policy) is done by
//! [`crate::ingest::read`].

pub mod feed;
pub mod html;
pub mod json;
pub mod mail;
pub mod markdown;
pub mod mbox;
pub mod pdf;
pub mod reference;
pub mod sgml;
pub mod warc;
