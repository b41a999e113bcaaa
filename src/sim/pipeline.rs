//! Simulate on several threads: lines are read in chunks on the calling thread, parsed
//! (UTF-8 checked, JSON into a tape: the expensive, stateless part) on worker threads, and
//! decided on the calling thread strictly in trace order, since counters are sequential.
//! Output is byte for byte what the one-thread [`Simulator::run`] writes, including
//! malformed lines, `--keep-going`, JSON-RPC rollback and a read error part-way.
//!
//! Memory stays bounded: at most [`Pipeline::in_flight`] chunks of [`CHUNK_BYTES`] exist,
//! and they are recycled with their tapes, so a steady run allocates nothing.

use std::collections::BTreeMap;
use std::io::{self, BufRead};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use super::trace::{self, Prepared};
use super::{content, Context, Options, Output, Simulator, Stop};
use crate::json::tape::{find_byte, Tape};

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
    /// Whole lines (the last one of the input may lack its terminator), as read.
    bytes: Vec<u8>,
    /// Offsets in `bytes` where a line past `--max-line-bytes` stood: it was dropped as it
    /// was read, without being held.
    dropped: Vec<usize>,
    /// The lines, cut by the worker.
    items: Vec<Item>,
    /// One per item, reused from chunk to chunk.
    tapes: Vec<Tape>,
    prepared: Vec<Prepared>,
}

/// What the reading thread carries from one chunk to the next.
#[derive(Default)]
struct Reading {
    /// The start of a line the previous chunk ended in.
    carry: Vec<u8>,
    /// Inside a line past the limit: its bytes are skipped up to its end.
    skipping: bool,
}

impl Chunk {
    /// Reads blocks until the chunk holds `size` bytes of whole lines (or the input ends:
    /// `Ok(true)`). Lines are cut by the worker; here only a line that outgrows `max_line`
    /// while it is read is dropped, so that memory never holds one.
    fn fill<R: BufRead>(
        &mut self,
        reader: &mut R,
        reading: &mut Reading,
        max_line: usize,
        size: usize,
    ) -> io::Result<bool> {
        self.bytes.clear();
        self.dropped.clear();
        self.items.clear();
        self.prepared.clear();
        self.bytes.append(&mut reading.carry);
        // Where the line being read starts.
        let mut line_start = self
            .bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        loop {
            let has_line = line_start > 0;
            if self.bytes.len() >= size && has_line {
                reading.carry.extend_from_slice(&self.bytes[line_start..]);
                self.bytes.truncate(line_start);
                return Ok(false);
            }
            let block = reader.fill_buf()?;
            if block.is_empty() {
                return Ok(true);
            }
            if reading.skipping {
                match find_byte(block, b'\n') {
                    Some(i) => {
                        reader.consume(i + 1);
                        reading.skipping = false;
                    }
                    None => {
                        let n = block.len();
                        reader.consume(n);
                    }
                }
                continue;
            }
            // Up to the chunk's size; past it (a line longer than a chunk), whole blocks.
            let n = match size.saturating_sub(self.bytes.len()) {
                0 => block.len(),
                room => block.len().min(room),
            };
            let from = self.bytes.len();
            self.bytes.extend_from_slice(&block[..n]);
            reader.consume(n);
            if let Some(i) = self.bytes[from..].iter().rposition(|&b| b == b'\n') {
                line_start = from + i + 1;
            }
            // Bytes of the line being read, so far; past the limit (its terminator not
            // counted) it is dropped, and the rest of it skipped.
            if self.bytes.len() - line_start > max_line + 1 {
                self.bytes.truncate(line_start);
                self.dropped.push(line_start);
                reading.skipping = true;
            }
        }
    }

    /// The worker's part: cuts the lines, then the stateless half of each (encoding, JSON,
    /// the event) into the line's tape.
    fn prepare(&mut self, max_line: usize) {
        let mut start = 0;
        let mut dropped = self.dropped.iter().peekable();
        while start < self.bytes.len() {
            while dropped.next_if(|&&d| d <= start).is_some() {
                self.items.push(Item::TooLong);
            }
            let end =
                find_byte(&self.bytes[start..], b'\n').map_or(self.bytes.len(), |i| start + i + 1);
            let body = end - start - usize::from(self.bytes[end - 1] == b'\n');
            self.items.push(if body > max_line {
                Item::TooLong
            } else {
                Item::Line { start, end }
            });
            start = end;
        }
        for _ in dropped {
            self.items.push(Item::TooLong);
        }
        if self.tapes.len() < self.items.len() {
            self.tapes.resize_with(self.items.len(), Tape::default);
        }
        for (i, item) in self.items.iter().enumerate() {
            let prepared = match item {
                Item::Line { start, end } => {
                    let bytes = content(&self.bytes[*start..*end], self.seq == 0 && i == 0);
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
            let max_line = options.max_line_bytes;
            for _ in 0..pipeline.workers {
                let work_rx = Arc::clone(&work_rx);
                let done_tx = done_tx.clone();
                scope.spawn(move || loop {
                    let next = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(mut chunk) = next else { return };
                    chunk.prepare(max_line);
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
        let mut reading = Reading::default();
        let mut eof = false;
        let mut read_error = None;
        loop {
            if !eof && ((sent - decided) as usize) < pipeline.in_flight() {
                let mut chunk = free.pop().unwrap_or_default();
                chunk.seq = sent;
                match chunk.fill(
                    reader,
                    &mut reading,
                    cx.options.max_line_bytes,
                    pipeline.chunk_bytes,
                ) {
                    Ok(end) => eof = end,
                    Err(e) => {
                        eof = true;
                        read_error = Some(e);
                    }
                }
                if chunk.bytes.is_empty() && chunk.dropped.is_empty() {
                    free.push(chunk);
                    continue;
                }
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
