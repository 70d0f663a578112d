// Package table holds column tables of float64 values with names, units
// and missing values, and reads and writes the files astronomers keep them
// in: CSV/TSV, the whitespace tables of isochrone and photoionisation
// codes, NumPy .npy/.npz and FITS binary tables.
//
// # Tables
//
// A Table is a list of named columns of equal length. Numeric columns hold
// float64 values; text columns (star names, FITS 'A' fields) are kept
// apart: Names and Col see the numeric columns, TextNames and Text the text
// ones, AllNames both, and asking for a column of the other kind is an
// error wrapping ErrTextColumn. Each column may carry a unit (SetUnit,
// Unit). An absent column gives a *ColumnError listing the columns there
// are and the nearest names ("did you mean").
//
// Missing values are NaN. Every format read here stores a missing number
// either as NaN (FITS floating-point columns, by the FITS standard; NumPy
// arrays, by the convention pandas follows) or as a marker that the readers
// turn into NaN (empty, NA, N/A, NaN, null, None cells in text; TNULL in
// FITS integer columns; 0 in FITS logical columns), so a separate mask
// would never say anything that math.IsNaN does not, and would have to be
// kept in step by every operation. Hence: IsMissing(v) is math.IsNaN(v);
// Missing counts; DropMissing removes incomplete rows. Infinities are
// values, not missing. Matrix, which feeds training, refuses both missing
// and infinite values with a *ValueError naming the column and row.
//
// Integers. A column read from an integer field (FITS B, I, J, K; NumPy
// integer arrays; a CSV/ASCII column whose every cell is an integer
// literal) also keeps its exact int64 values, since float64 holds integers
// exactly only up to 2^53 and identifiers such as Gaia's source_id are
// larger. Int64 returns them while they still agree with the float64
// column (a write through Col that changes a value makes the column plain
// float64 again), Rows, Filter and Select carry them, and the writers write
// such columns as 64-bit integers, so identifiers survive a round trip to
// Python exactly.
//
// Select, Drop, Rows, Filter, Head, Split and Concat return new tables
// with copies of the data; Col and Text return the table's own storage. A
// Table is not safe for concurrent modification; concurrent reads are
// fine. Split shuffles
// with an injected rand.Source, so a split is reproducible from a seed.
// AddDiff (colours such as BP−RP), AddRatio (line ratios), AddLog10 and
// AddFunc add derived columns; a row missing an input is missing in the
// output, as are the logarithm of a non-positive value and a ratio to zero
// (the HII-CHI-Mistry grid has zero line fluxes).
//
// # Reading
//
// ReadFile reads a file whose format is given by ReadOptions.Format, or by
// its extension (a .gz suffix is decompressed), or by its first bytes:
//
//	.csv               comma-separated, a header line, RFC 4180 quoting
//	.ecsv              astropy's ECSV: units and datatypes from its YAML
//	                     header, string columns kept as text
//	.tsv .tab          tab-separated, a header line
//	.dat .txt .isoc    whitespace-separated: names in the last '#' line
//	.cmd .iso .ascii     before the data (CMD/PARSEC, pydol, MIST), or in a
//	                     first line of names (HII-CHI-Mistry); '#' lines in
//	                     the data (CMD repeats its header) are skipped
//	.npy               1-D array: one column col0; 2-D array: col0 … colk-1
//	                     (C or Fortran order); 1-D structured array: one
//	                     column per field; versions 1.0, 2.0, 3.0; float16/
//	                     32/64, (u)int8…64, bool, 'S'/'U' strings, either
//	                     byte order
//	.npz               each member array gives columns named by its key
//	                     (key_0 … for a 2-D array); stored or deflated
//	.fits .fit .fts    a BINTABLE: the first one, or HDU number
//	                     ReadOptions.HDU (astropy's numbering, primary = 0);
//	                     TFORM L B I J K E D A with repeat counts (a vector
//	                     field v of r elements gives columns v_0 … v_r-1),
//	                     TSCAL/TZERO (so the unsigned conventions), TNULL,
//	                     TUNIT; P Q C M X fields are refused unless left
//	                     out with ReadOptions.Columns
//
// In CSV and whitespace tables a column whose first non-missing cell is not
// a number is a text column; a later non-numeric cell in a numeric column
// is an error naming the line, row, column and byte. Column names that
// repeat get suffixes (x, x_2). ReadASCII, ReadCSV, ReadTSV, ReadECSV,
// ReadNPY, ReadNPZ and ReadFITS read from an io.Reader (ReadNPZ from an
// io.ReaderAt); WriteCSV, WriteTSV, WriteECSV, WriteNPY, WriteNPZ and
// WriteFITS write to an io.Writer.
//
// # Writing
//
// WriteFile writes .csv, .tsv (units are lost), .ecsv (units kept; astropy
// strips spaces around strings and masks empty ones when it reads them),
// .npy (one 2-D float64 array, names lost; refused for a table with text
// columns),
// .npz (one array per column, names kept) or .fits (a BINTABLE with TTYPE,
// TFORM and TUNIT) atomically: to a temporary file renamed into place.
// Floats are written so that they read back bit for bit (the shortest
// decimal that round-trips, in CSV). The tests run numpy, pandas and
// astropy on what Go writes, and Go on what they write, comparing values
// exactly (interop_test.go; skipped without Python, failing under CI=true).
//
// # Errors and limits
//
// A file that cannot be read gives a *ParseError naming the file and, where
// they apply, the line, the data row, the column and the byte offset; it
// wraps one of the sentinels (ErrSyntax, ErrRagged, ErrHeader, ErrTruncated,
// ErrTooLarge, ErrFormat, ErrUnsupported, ErrNoColumn) or, for a missing
// file, fs.ErrNotExist, for errors.Is. ReadOptions.MaxBytes (default
// DefaultMaxBytes: half the physical memory, at most 4 GiB) bounds the
// memory a table may take: a file larger than that, or whose header
// declares more (an .npy shape, a FITS NAXIS1 × NAXIS2), is refused before
// its data are read, with the size in the message; text tables are checked
// as they are read. A header that declares more data than the file holds is
// reported as truncated before reading. ReadOptions.Rows keeps a range of
// rows, [lo, hi) of the table's total: NPY, NPZ and FITS read only those
// (skipping the rows before lo by a seek where the source can seek), and
// the memory limit applies to them alone, so a shard of a file larger than
// memory can be read. ReadFile reads a text file twice for a range, first
// checking and counting every row (which also decide the columns' kinds,
// as in a whole read) and then keeping the range, so the limit applies to
// the range there too, for 1.2 to 1.5 times the time of one whole read
// (BenchmarkReadShard);
// Read, given a stream it cannot read twice, reads text whole, then cuts.
//
// Caller bugs (rows out of range, mismatched argument lengths) panic with a
// "table: " prefix; bad data never panics. Every reader is fuzzed (see
// FUZZING.md and scripts/fuzz-table.sh).
package table
