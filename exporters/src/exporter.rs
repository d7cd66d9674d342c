//! The exporter side of a booking: file formats write many bookings to one
//! stream, with no I/O beyond the writer they are given. Remote targets
//! (Fortnox, Visma eEkonomi) map the same [`Booking`]s and add transport.

use std::io::Write;

use crate::{Booking, Error};

/// A file format that writes many bookings into one output (SIE, CSV, ...).
pub trait FileExporter {
    /// A short name for messages, e.g. `SIE 4I`.
    fn name(&self) -> &'static str;
    /// Writes every booking to `out`. Nothing is written for a booking the
    /// format cannot express; the error names it.
    fn write(&self, bookings: &[Booking], out: &mut dyn Write) -> Result<(), Error>;
}

/// A file format that writes one document per booking (PEPPOL UBL).
pub trait DocumentExporter {
    fn name(&self) -> &'static str;
    /// The file name for the booking's document, unique within an export.
    fn file_name(&self, booking: &Booking) -> String;
    fn write_one(&self, booking: &Booking, out: &mut dyn Write) -> Result<(), Error>;
}
