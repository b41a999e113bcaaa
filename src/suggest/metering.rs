//! The meters' side of a `suggest-limits` replay. The observer on the deciding thread
//! turns each decided call into a [`Feed`] (which meters its anchors charged, and later
//! whether it was rolled back or settled); [`Metering`] applies the feeds in order. On one
//! thread it does so at once; with `--threads` above 1 the feeds go in batches to a thread
//! of their own ([`Channel`]), so the deciding thread, which every call waits on, only
//! decides. Either way the meters see the same feeds in the same order.

use std::sync::mpsc::{Receiver, SyncSender};

use super::meter::{Meter, Placed};
use crate::engine::hash::FastMap;

/// What the meters hear of one event of the replay. Calls are named by the engine's
/// sequence number of their `all_tools` anchor charge.
#[derive(Debug, Clone, Copy)]
pub enum Feed {
    /// A call charged these anchors (meter, units) at `at`. A `pending` one may be rolled
    /// back later, under its JSON-RPC id; any other only right after it was decided.
    Call {
        seq: u64,
        grant: u32,
        at: f64,
        pending: bool,
        anchors: [Option<(usize, f64)>; 2],
    },
    RollBack(u64),
    /// A pending call can no longer be rolled back.
    Settled(u64),
}

/// Where one call's anchor charges were kept, for a rollback.
#[derive(Debug, Clone, Copy)]
struct Kept {
    at: f64,
    grant: u32,
    anchors: [Option<(usize, f64, Placed)>; 2],
}

/// Every subject's meter, and what a rollback needs to find a call's charges.
#[derive(Debug, Default)]
pub struct Metering {
    pub meters: Vec<Meter>,
    /// The last call (a failed call is rolled back right after it is decided), and the
    /// calls pending under a JSON-RPC id.
    last: Option<(u64, Kept)>,
    pending: FastMap<u64, Kept>,
}

impl Metering {
    pub fn new(meters: Vec<Meter>) -> Metering {
        Metering {
            meters,
            ..Metering::default()
        }
    }

    pub fn apply(&mut self, feed: &Feed) {
        match *feed {
            Feed::Call {
                seq,
                grant,
                at,
                pending,
                anchors,
            } => {
                let anchors = anchors.map(|a| {
                    a.map(|(meter, units)| {
                        (meter, units, self.meters[meter].charge(grant, at, units))
                    })
                });
                let kept = Kept { at, grant, anchors };
                if pending {
                    self.pending.insert(seq, kept);
                } else {
                    self.last = Some((seq, kept));
                }
            }
            Feed::RollBack(seq) => {
                let kept = match self.pending.remove(&seq) {
                    Some(kept) => Some(kept),
                    None => self.last.take().filter(|(s, _)| *s == seq).map(|(_, k)| k),
                };
                if let Some(k) = kept {
                    for (meter, units, placed) in k.anchors.into_iter().flatten() {
                        self.meters[meter].roll_back(k.grant, k.at, units, placed);
                    }
                }
            }
            Feed::Settled(seq) => {
                self.pending.remove(&seq);
            }
        }
    }

    /// A trace ended, and its pending calls with it (ids are matched within a trace).
    pub fn end_trace(&mut self) {
        self.last = None;
        self.pending.clear();
    }
}

/// Feeds in a batch: large enough that passing one costs little, small enough that the
/// batches in flight stay a few megabytes.
pub const BATCH: usize = 256;

/// The deciding thread's end of the meters' thread: full batches go one way, emptied ones
/// come back to be reused.
pub struct Channel {
    pub batch: Vec<Feed>,
    pub full: SyncSender<Vec<Feed>>,
    pub empty: Receiver<Vec<Feed>>,
}

impl Channel {
    pub fn push(&mut self, feed: Feed) {
        self.batch.push(feed);
        if self.batch.len() >= BATCH {
            self.send();
        }
    }

    /// Sends what is batched. A meters' thread that has stopped is found when it is joined.
    pub fn send(&mut self) {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
        let batch = std::mem::replace(&mut self.batch, next);
        if !batch.is_empty() {
            let _ = self.full.send(batch);
        }
    }
}

/// The meters' thread: applies batches until the deciding thread hangs up.
pub fn serve(
    mut metering: Metering,
    full: Receiver<Vec<Feed>>,
    empty: std::sync::mpsc::Sender<Vec<Feed>>,
) -> Metering {
    for mut batch in full {
        for feed in &batch {
            metering.apply(feed);
        }
        batch.clear();
        let _ = empty.send(batch);
    }
    metering
}
