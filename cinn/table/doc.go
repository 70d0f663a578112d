// Package table holds column tables of float64 values with names, units
// and missing values, and reads and writes the files astronomers keep them
// in.
//
// # Tables
//
// A Table is a list of named columns of equal length. Numeric columns hold
// float64 values; text columns (star names, FITS 'A' fields) are kept
// apart: Names and Col see the numeric columns, TextNames and Text the text
// ones, AllNames both. Each column may carry a unit (SetUnit, Unit).
//
// Missing values are NaN. Every format read here stores a missing number
// either as NaN (FITS floating-point columns by the FITS standard, NumPy
// arrays by the convention pandas follows) or as a marker that the readers
// turn into NaN (empty, NA, N/A, NaN, null, None cells in text; TNULL in
// FITS integer columns), so a separate mask would never say anything that
// math.IsNaN does not: IsMissing(v) is math.IsNaN(v), Missing counts,
// DropMissing removes incomplete rows. Infinities are values, not missing.
// Matrix, which feeds training, refuses both missing and infinite values
// with a *ValueError naming the column and row.
//
// Select, Drop, Rows, Filter, Head and Split return new tables with copies
// of the data; Col and Text return the table's own storage. Split shuffles
// with an injected rand.Source, so a split is reproducible from a seed.
// AddDiff (colours such as BP−RP), AddRatio (line ratios), AddLog10 and
// AddFunc add derived columns; a row missing an input is missing in the
// output, as is the logarithm of a non-positive value and a ratio to zero.
//
// # Reading
//
// ReadFile reads a file whose format is given by ReadOptions.Format or by
// its extension (a .gz suffix is decompressed):
//
//	.csv               comma-separated, header line, RFC 4180 quoting
//	.tsv .tab          tab-separated, header line
//	.dat .txt .isoc    whitespace-separated; names in the last '#' line
//	.cmd .iso .ascii     before the data (CMD/PARSEC, pydol, MIST), or in a
//	                     first line of names (HII-CHI-Mistry)
//
// A column of a text table whose first non-missing cell is not a number is
// read as a text column; a later non-numeric cell in a numeric column is an
// error. ReadASCII, ReadCSV and ReadTSV read from an io.Reader.
//
// # Errors and limits
//
// A file that cannot be read gives a *ParseError naming the file and, where
// they apply, the line, the data row, the column and the byte offset; it
// wraps one of the sentinels (ErrSyntax, ErrRagged, ErrHeader, ErrTruncated,
// ErrTooLarge, ErrFormat, ErrUnsupported) or fs.ErrNotExist, for errors.Is.
// An absent column gives a *ColumnError that lists the columns there are.
// ReadOptions.MaxBytes (default DefaultMaxBytes: half the physical memory,
// at most 4 GiB) bounds the memory a table may take; a file that would not
// fit is refused before it is read, with its size in the message.
//
// Caller bugs (rows out of range, mismatched argument lengths) panic with a
// "table: " prefix; bad data never panics.
package table
