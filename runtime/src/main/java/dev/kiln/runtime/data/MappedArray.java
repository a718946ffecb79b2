package dev.kiln.runtime.data;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * A numeric array memory-mapped from a {@code .npy} file ({@link Npy#map}) or a plain IDX file
 * ({@link Idx#map}): nothing is read until a row is asked for, so files larger than the heap can
 * be trained on through {@link Dataset#of(MappedArray, MappedArray)}.
 *
 * <p>A row is everything under one index of the first dimension ({@code [n, 28, 28]} images have
 * 784 values per row; a rank-1 array has one). {@link #copyRow} converts the stored type to float
 * as a cast does (float64 and int64 round to the nearest float) and divides by {@link
 * #dividedBy}'s divisor, if any. It allocates nothing, so a training step reading from it stays
 * allocation-free. Instances are immutable and may be read from several threads; the mapping
 * lives until the instance is garbage-collected (the JDK cannot unmap earlier).
 */
public final class MappedArray {
  /** The largest data section mapped: 1 TiB. */
  public static final long MAX_BYTES = 1L << 40;

  /** Bytes per mapped segment at most (a MappedByteBuffer holds under 2 GiB). */
  private static final long SEGMENT_BYTES = 1L << 30;

  enum Element {
    U8(1), F32(4), F64(8), I32(4), I64(8);

    final int size;

    Element(int size) {
      this.size = size;
    }
  }

  private final String file;
  private final int[] shape;
  private final Element element;
  private final MappedByteBuffer[] segments;
  private final int rows;
  private final int rowSize;
  private final int rowBytes;
  private final int rowsPerSegment;
  private final float divisor;

  private MappedArray(String file, int[] shape, Element element, MappedByteBuffer[] segments, int rowsPerSegment,
      float divisor) {
    this.file = file;
    this.shape = shape;
    this.element = element;
    this.segments = segments;
    this.rows = shape[0];
    long size = 1;
    for (int i = 1; i < shape.length; i++) {
      size *= shape[i];
    }
    this.rowSize = (int) size;
    this.rowBytes = rowSize * element.size;
    this.rowsPerSegment = rowsPerSegment;
    this.divisor = divisor;
  }

  /** Maps the data at {@code dataStart}, whose length the caller has checked against the file. */
  static MappedArray map(FileChannel channel, String file, long dataStart, int[] shape, Element element,
      ByteOrder order) throws IOException {
    long rowSize = 1;
    for (int i = 1; i < shape.length; i++) {
      rowSize *= shape[i];
    }
    long rowBytes = rowSize * element.size;
    if (rowBytes > SEGMENT_BYTES) {
      throw Idx.format(file, "rows of " + rowBytes + " bytes (shape " + Arrays.toString(shape)
          + ") are larger than " + SEGMENT_BYTES + ", the largest row this mapping reads");
    }
    int rowsPerSegment = (int) Math.max(1, Math.min(Integer.MAX_VALUE, SEGMENT_BYTES / Math.max(1, rowBytes)));
    int rows = shape[0];
    int count = rows == 0 ? 0 : (rows - 1) / rowsPerSegment + 1;
    MappedByteBuffer[] segments = new MappedByteBuffer[count];
    for (int s = 0; s < count; s++) {
      long firstRow = (long) s * rowsPerSegment;
      long segmentRows = Math.min(rowsPerSegment, rows - firstRow);
      MappedByteBuffer segment = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + firstRow * rowBytes,
          segmentRows * rowBytes);
      segment.order(order);
      segments[s] = segment;
    }
    return new MappedArray(file, shape.clone(), element, segments, rowsPerSegment, 1f);
  }

  /**
   * The same mapping with every value divided by {@code divisor} as it is read: {@code
   * dividedBy(255f)} gives exactly {@link Idx#images}'s {@code value / 255f}.
   */
  public MappedArray dividedBy(float divisor) {
    if (!(divisor != 0) || !Float.isFinite(divisor)) {
      throw new IllegalArgumentException("divisor must be finite and non-zero, was " + divisor);
    }
    return new MappedArray(file, shape, element, segments, rowsPerSegment, divisor);
  }

  /** The file this array was mapped from. */
  public String file() {
    return file;
  }

  /** The shape; {@code shape()[0]} is the number of rows. */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of rows (the first dimension). */
  public int rows() {
    return rows;
  }

  /** Values per row: the product of all dimensions but the first (1 for a rank-1 array). */
  public int rowSize() {
    return rowSize;
  }

  /**
   * Reads the first and last byte of row {@code row} (faulting its pages in, warming its cache
   * lines) and returns them: a {@link Dataset#prefetch} before the row's copy. Nothing for a row
   * out of range or an empty row.
   */
  int touchRow(int row) {
    if (row < 0 || row >= rows || rowBytes == 0) {
      return 0;
    }
    MappedByteBuffer segment = segments[row / rowsPerSegment];
    int at = (row % rowsPerSegment) * rowBytes;
    return segment.get(at) + segment.get(at + rowBytes - 1);
  }

  /** Copies row {@code row}, converted to float, into {@code dest[offset, offset + rowSize())}. */
  public void copyRow(int row, float[] dest, int offset) {
    Objects.requireNonNull(dest, "dest");
    Objects.checkIndex(row, rows);
    Objects.checkFromIndexSize(offset, rowSize, dest.length);
    MappedByteBuffer segment = segments[row / rowsPerSegment];
    int at = (row % rowsPerSegment) * rowBytes;
    float d = divisor;
    switch (element) {
      case U8 -> {
        for (int i = 0; i < rowSize; i++) {
          dest[offset + i] = (segment.get(at + i) & 0xFF) / d;
        }
      }
      case F32 -> {
        for (int i = 0; i < rowSize; i++) {
          dest[offset + i] = segment.getFloat(at + 4 * i) / d;
        }
      }
      case F64 -> {
        for (int i = 0; i < rowSize; i++) {
          dest[offset + i] = (float) segment.getDouble(at + 8 * i) / d;
        }
      }
      case I32 -> {
        for (int i = 0; i < rowSize; i++) {
          dest[offset + i] = segment.getInt(at + 4 * i) / d;
        }
      }
      case I64 -> {
        for (int i = 0; i < rowSize; i++) {
          dest[offset + i] = segment.getLong(at + 8 * i) / d;
        }
      }
      default -> throw new AssertionError(element);
    }
  }

  /** Row {@code row} as a new array (allocates; {@link #copyRow} does not). */
  public float[] row(int row) {
    float[] out = new float[rowSize];
    copyRow(row, out, 0);
    return out;
  }

  @Override
  public String toString() {
    return "MappedArray[" + file + ", " + element + " " + Arrays.toString(shape)
        + (divisor == 1f ? "" : " / " + divisor) + "]";
  }
}
