//! Simulate on several threads: lines are read in chunks on the calling thread, parsed
//! (UTF-8 checked, JSON into a tape: the expensive, stateless part) on worker threads, and
//! decided on the calling thread strictly in trace order, since counters are sequential.
//! Output is byte for byte what the one-thread [`Simulator::run`] writes, including
//! malformed lines, `--keep-going`, JSON-RPC rollback and a read error part-way.
//!
//! Memory stays bounded: at most [`Pipeline::in_flight`] chunks of [`CHUNK_BYTES`] exist,
//! and they are recycled with their tapes, so a steady run allocates nothing.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use super::trace::{self, Prepared};
use super::{content, Context, Options, Output, Simulator, Stop};
use crate::json::tape::Tape;

/// A chunk is cut after the line that takes it past this many bytes.
const CHUNK_BYTES: usize = 256 << 10;

/// One line of a chunk.
enum Item {
    /// `bytes[start..end]`, terminator included.
    Line { start: usize, end: usize },
    /// A line past `--max-line-bytes`, dropped as it was read.
    TooLong,
}

/// Lines read together, parsed together, decided in order.
#[derive(Default)]
struct Chunk {
    seq: u64,
    /// Line number (1-based) of the chunk's first item.
    first_line: usize,
    bytes: Vec<u8>,
    items: Vec<Item>,
    /// One per item, reused from chunk to chunk.
    tapes: Vec<Tape>,
    prepared: Vec<Prepared>,
}

impl Chunk {
    fn clear(&mut self) {
        self.bytes.clear();
        self.items.clear();
        self.prepared.clear();
    }

    /// Reads whole lines until the chunk is full; `Ok(true)` at the end of the input.
    fn fill<R: BufRead>(
        &mut self,
        reader: &mut R,
        max_line: usize,
        size: usize,
    ) -> io::Result<bool> {
        while self.bytes.len() < size {
            let start = self.bytes.len();
            // One byte past the limit tells a line of exactly the limit from a longer one.
            let n = reader
                .by_ref()
                .take(max_line as u64 + 2)
                .read_until(b'\n', &mut self.bytes)?;
            if n == 0 {
                return Ok(true);
            }
            let line = &self.bytes[start..];
            let ended = line.last() == Some(&b'\n');
            let body = if ended { line.len() - 1 } else { line.len() };
            if body > max_line {
                self.bytes.truncate(start);
                if !ended {
                    reader.skip_until(b'\n')?;
                }
                self.items.push(Item::TooLong);
            } else {
                self.items.push(Item::Line {
                    start,
                    end: self.bytes.len(),
                });
            }
        }
        Ok(false)
    }

    /// The stateless half of each line: encoding and JSON, into the line's tape.
    fn prepare(&mut self) {
        if self.tapes.len() < self.items.len() {
            self.tapes.resize_with(self.items.len(), Tape::default);
        }
        for (i, item) in self.items.iter().enumerate() {
            let prepared = match item {
                Item::Line { start, end } => {
                    let bytes = content(&self.bytes[*start..*end], self.first_line + i == 1);
                    trace::prepare(bytes, &mut self.tapes[i])
                }
                Item::TooLong => Prepared::Blank,
            };
            self.prepared.push(prepared);
        }
    }
}

/// The threads of one run.
struct Pipeline {
    workers: usize,
    chunk_bytes: usize,
}

impl Pipeline {
    /// Chunks read ahead of the one being decided: enough to keep every worker busy.
    fn in_flight(&self) -> usize {
        2 * self.workers + 1
    }
}

impl Simulator<'_> {
    /// [`Simulator::run`] on `threads` threads (the calling one included); one thread is
    /// `run` itself.
    pub fn run_threaded<R: BufRead>(
        &mut self,
        file: &str,
        reader: R,
        options: &Options,
        out: &mut dyn Output,
        threads: usize,
    ) -> Result<(), Stop> {
        self.run_chunked(file, reader, options, out, threads, CHUNK_BYTES)
    }

    /// [`Simulator::run_threaded`] with chunks of about `chunk_bytes`: tests cut small
    /// traces into many chunks to check that order holds across them.
    pub fn run_chunked<R: BufRead>(
        &mut self,
        file: &str,
        mut reader: R,
        options: &Options,
        out: &mut dyn Output,
        threads: usize,
        chunk_bytes: usize,
    ) -> Result<(), Stop> {
        if threads <= 1 {
            return self.run(file, reader, options, out);
        }
        let pipeline = Pipeline {
            workers: threads - 1,
            chunk_bytes: chunk_bytes.max(1),
        };
        let mut cx = Context::new(file, options);
        let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(pipeline.in_flight());
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = mpsc::channel::<Chunk>();
        std::thread::scope(|scope| {
            for _ in 0..pipeline.workers {
                let work_rx = Arc::clone(&work_rx);
                let done_tx = done_tx.clone();
                scope.spawn(move || loop {
                    let next = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(mut chunk) = next else { return };
                    chunk.prepare();
                    if done_tx.send(chunk).is_err() {
                        return;
                    }
                });
            }
            drop(done_tx);
            // `drive` drops the work queue when it returns, which lets the workers finish.
            self.drive(&mut cx, &mut reader, &pipeline, work_tx, &done_rx, out)
        })
    }

    /// Reads ahead, hands chunks to the workers, and decides them in order.
    fn drive<R: BufRead>(
        &mut self,
        cx: &mut Context,
        reader: &mut R,
        pipeline: &Pipeline,
        work_tx: mpsc::SyncSender<Chunk>,
        done_rx: &mpsc::Receiver<Chunk>,
        out: &mut dyn Output,
    ) -> Result<(), Stop> {
        let mut free: Vec<Chunk> = Vec::new();
        let mut ready: BTreeMap<u64, Chunk> = BTreeMap::new();
        let (mut sent, mut decided) = (0u64, 0u64);
        let mut next_line = 1;
        let mut eof = false;
        let mut read_error = None;
        loop {
            if !eof && ((sent - decided) as usize) < pipeline.in_flight() {
                let mut chunk = free.pop().unwrap_or_default();
                chunk.clear();
                chunk.seq = sent;
                chunk.first_line = next_line;
                match chunk.fill(reader, cx.options.max_line_bytes, pipeline.chunk_bytes) {
                    Ok(end) => eof = end,
                    Err(e) => {
                        eof = true;
                        read_error = Some(e);
                    }
                }
                if chunk.items.is_empty() {
                    free.push(chunk);
                    continue;
                }
                next_line += chunk.items.len();
                sent += 1;
                if work_tx.send(chunk).is_err() {
                    return Err(Stop::Io(io::Error::other("a parsing thread stopped")));
                }
                continue;
            }
            if decided == sent {
                break;
            }
            let mut chunk = loop {
                if let Some(chunk) = ready.remove(&decided) {
                    break chunk;
                }
                let Ok(chunk) = done_rx.recv() else {
                    return Err(Stop::Io(io::Error::other("a parsing thread stopped")));
                };
                ready.insert(chunk.seq, chunk);
            };
            decided += 1;
            self.decide_chunk(cx, &mut chunk, out)?;
            free.push(chunk);
        }
        drop(work_tx);
        match read_error {
            Some(e) => Err(Stop::Io(e)),
            None => Ok(()),
        }
    }

    fn decide_chunk(
        &mut self,
        cx: &mut Context,
        chunk: &mut Chunk,
        out: &mut dyn Output,
    ) -> Result<(), Stop> {
        let prepared = std::mem::take(&mut chunk.prepared);
        for (i, (item, prepared)) in chunk.items.iter().zip(prepared).enumerate() {
            match item {
                Item::TooLong => self.too_long(cx, out)?,
                Item::Line { start, end } => {
                    let raw = &chunk.bytes[*start..*end];
                    let bytes = content(raw, cx.line_no == 0);
                    self.prepared_line(cx, raw.len(), bytes, prepared, &chunk.tapes[i], out)?;
                }
            }
        }
        Ok(())
    }
}
