//! A bound on the documents waiting for tantivy's indexing threads.
//!
//! tantivy's writer queues up to 10,000 batches (one batch an article here)
//! for its indexing threads. When reading and parsing outpace indexing, as
//! they do with large JSON Lines or mbox files, that queue stays full: some
//! 60,000 documents, about 70 MB of a million-article build's peak memory.
//! Here every document handed to tantivy carries a ticket that its
//! indexing thread returns by dropping the document, and the writer waits
//! once [`MOST_QUEUED`] documents are out, until half of them are taken:
//! enough to keep the indexing threads fed, without the backlog.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use tantivy::TantivyDocument;
use tantivy::indexer::UserOperation;
use tantivy::schema::document::Document;

/// How many documents may wait for (or be in) tantivy's indexing threads:
/// a few milliseconds of indexing, a few megabytes.
pub const MOST_QUEUED: usize = 4096;

/// How long the writer waits without any document being taken before it
/// hands its batch over anyway: an indexing thread that failed takes no
/// more, and tantivy reports its error only when given the next batch.
const STALLED: Duration = Duration::from_secs(10);

/// The documents out between the writer and tantivy's indexing threads.
#[derive(Debug)]
pub struct DocumentQueue {
    /// At most this many documents are out, unless one batch is larger.
    most: usize,
    /// A writer that had to wait goes on once no more than this many are
    /// out, so it is woken once per half queue, not once per document.
    resume: usize,
    out: AtomicUsize,
    waiting: AtomicBool,
    lock: Mutex<()>,
    taken: Condvar,
}

impl DocumentQueue {
    /// A queue of at most `most` documents (see [`MOST_QUEUED`]).
    pub fn new(most: usize) -> DocumentQueue {
        DocumentQueue {
            most,
            resume: most / 2,
            out: AtomicUsize::new(0),
            waiting: AtomicBool::new(false),
            lock: Mutex::new(()),
            taken: Condvar::new(),
        }
    }

    /// Waits until there is room for `documents` (a batch larger than the
    /// queue waits for it to be half empty), then gives each its ticket.
    pub fn admit(
        self: &Arc<Self>,
        documents: Vec<TantivyDocument>,
    ) -> Vec<UserOperation<QueuedDocument>> {
        let count = documents.len();
        if self.out() + count > self.most {
            self.wait_for_room();
        }
        self.out.fetch_add(count, Ordering::SeqCst);
        documents
            .into_iter()
            .map(|document| {
                UserOperation::Add(QueuedDocument {
                    document,
                    _ticket: Ticket(Arc::clone(self)),
                })
            })
            .collect()
    }

    /// How many documents are out now.
    pub fn out(&self) -> usize {
        self.out.load(Ordering::SeqCst)
    }

    /// Waits until no more than `resume` documents are out, or until none
    /// has been taken for [`STALLED`].
    fn wait_for_room(&self) {
        let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut last = self.out();
        loop {
            // Set before looking again, so that the ticket returned after
            // the look that brings the queue down to `resume` sees it.
            self.waiting.store(true, Ordering::SeqCst);
            if self.out() <= self.resume {
                break;
            }
            let (next, timeout) = self
                .taken
                .wait_timeout(guard, STALLED)
                .unwrap_or_else(|e| e.into_inner());
            guard = next;
            let now = self.out();
            if timeout.timed_out() && now == last {
                break;
            }
            last = now;
        }
        self.waiting.store(false, Ordering::SeqCst);
    }

    fn taken(&self) {
        let out = self.out.fetch_sub(1, Ordering::SeqCst) - 1;
        if out == self.resume && self.waiting.load(Ordering::SeqCst) {
            let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.taken.notify_one();
        }
    }
}

/// Returned to its queue when dropped.
#[derive(Debug)]
struct Ticket(Arc<DocumentQueue>);

impl Drop for Ticket {
    fn drop(&mut self) {
        self.0.taken();
    }
}

/// A document counted as out until tantivy's indexing thread drops it.
#[derive(Debug)]
pub struct QueuedDocument {
    document: TantivyDocument,
    _ticket: Ticket,
}

impl Document for QueuedDocument {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.document.iter_fields_and_values()
    }

    fn into_tantivy_document(self) -> TantivyDocument {
        self.document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documents(count: usize) -> Vec<TantivyDocument> {
        (0..count).map(|_| TantivyDocument::new()).collect()
    }

    /// Whether `admit` on another thread returns within a moment.
    fn admitted_soon(receiver: &std::sync::mpsc::Receiver<usize>) -> Option<usize> {
        receiver.recv_timeout(Duration::from_millis(100)).ok()
    }

    #[test]
    fn documents_are_out_until_dropped_and_a_full_queue_waits_until_half_empty() {
        let queue = Arc::new(DocumentQueue::new(8));
        let mut first = queue.admit(documents(6));
        assert_eq!(queue.out(), 6);
        let second = queue.admit(documents(2));
        assert_eq!(queue.out(), 8);
        let (sender, receiver) = std::sync::mpsc::channel();
        let waiter = {
            let queue = Arc::clone(&queue);
            std::thread::spawn(move || {
                let third = queue.admit(documents(3));
                sender.send(queue.out()).unwrap();
                drop(third);
            })
        };
        assert_eq!(admitted_soon(&receiver), None, "admitted with 8 out");
        first.truncate(3);
        assert_eq!(admitted_soon(&receiver), None, "admitted with 5 out");
        first.truncate(2);
        assert_eq!(admitted_soon(&receiver), Some(4 + 3));
        waiter.join().unwrap();
        drop((first, second));
        assert_eq!(queue.out(), 0);
        // A batch larger than the queue goes once it is half empty.
        let big = queue.admit(documents(20));
        assert_eq!(queue.out(), 20);
        drop(big);
        assert_eq!(queue.out(), 0);
    }
}
