//! Code ranks below prose on equal terms.
//!
//! A code block is kept searchable (`tokio::spawn` must be found), but a
//! passage of code that matches a query as well as a paragraph of prose is
//! rarely what the reader wants first: the prose explains, the code shows.
//! So a code passage's score is multiplied by [`CODE_WEIGHT`] before the
//! passages are ordered (`rank::scoring`): it needs twice the evidence of prose to come
//! first, and still comes first when nothing else matches as well. The
//! all-words tier is unchanged: a code passage with every query word still
//! ranks above prose with only some.

/// The factor a code passage's score is multiplied by.
pub(crate) const CODE_WEIGHT: f32 = 0.5;
