package dev.kiln.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.runtime.io.KilnFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Npy#map} and {@link Idx#map}: the rows a mapping reads are the values {@link Npy#read}
 * and {@link Idx#images} give, and a file they reject is rejected with the same message.
 */
class MappedArrayTest {
  @TempDir Path dir;

  @Test
  void mappedNpyRowsAreTheReadArraysValuesAsFloats() throws IOException {
    Path f32 = dir.resolve("f32.npy");
    float[] values = {1.5f, -2f, 3.25f, Float.MIN_VALUE, -0f, 1e30f};
    Npy.writeFloat32(f32, new int[] {2, 3}, values);
    MappedArray a = Npy.map(f32);
    assertArrayEquals(new int[] {2, 3}, a.shape());
    assertEquals(2, a.rows());
    assertEquals(3, a.rowSize());
    assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, a.row(0));
    float[] dest = new float[5];
    a.copyRow(1, dest, 2);
    assertArrayEquals(new float[] {0, 0, Float.MIN_VALUE, -0f, 1e30f}, dest);

    Path i64 = dir.resolve("labels.npy");
    Npy.writeInt64(i64, new int[] {4}, new long[] {3, 0, 9, (1L << 40) + 1});
    MappedArray labels = Npy.map(i64);
    assertEquals(1, labels.rowSize());
    float[] expected = Npy.read(i64).toFloatArray(); // (float) long rounds 2^40 + 1 to 2^40
    for (int r = 0; r < 4; r++) {
      assertEquals(expected[r], labels.row(r)[0], 0f);
    }
    assertEquals((float) (1L << 40), labels.row(3)[0], 0f);

    Path f64 = dir.resolve("f64.npy");
    Npy.write(f64, NpyArray.ofDoubles(new int[] {1, 2, 2}, new double[] {0.1, -1e-50, 1e300, 2.5}));
    assertArrayEquals(Npy.read(f64).toFloatArray(), Npy.map(f64).row(0));
    assertThrows(IndexOutOfBoundsException.class, () -> a.copyRow(2, dest, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> a.copyRow(0, dest, 3));
  }

  @Test
  void mappedNpyRejectsWhatReadRejectsWithTheSameMessage() throws IOException {
    Path good = dir.resolve("good.npy");
    Npy.writeFloat32(good, new int[] {4, 2}, new float[8]);
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = dir.resolve("truncated.npy");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 3));
    KilnFormatException read = assertThrows(KilnFormatException.class, () -> Npy.read(truncated));
    KilnFormatException map = assertThrows(KilnFormatException.class, () -> Npy.map(truncated));
    assertEquals(read.getMessage(), map.getMessage());

    Path scalar = dir.resolve("scalar.npy");
    Npy.writeFloat32(scalar, new int[] {}, new float[] {1f});
    assertEquals(scalar + ": a scalar (shape []) has no rows to map",
        assertThrows(KilnFormatException.class, () -> Npy.map(scalar)).getMessage());
  }

  /** Dataset.prefetch's read: the first and last byte of a row, nothing outside the rows. */
  @Test
  void touchRowReadsTheRowsFirstAndLastByte() throws IOException {
    byte[] images = IdxTest.gunzip(IdxTest.fixture(IdxTest.IMAGES_GZ));
    Path plain = dir.resolve("touched-idx3-ubyte");
    Files.write(plain, images);
    MappedArray mapped = Idx.map(plain);
    int header = 16; // IDX3: magic and three dimensions
    for (int r = 0; r < 12; r++) {
      assertEquals(images[header + r * 784] + images[header + r * 784 + 783], mapped.touchRow(r), "row " + r);
    }
    assertEquals(0, mapped.touchRow(-1));
    assertEquals(0, mapped.touchRow(12));
  }

  @Test
  void mappedIdxImagesDividedBy255AreIdxImages() throws IOException {
    byte[] images = IdxTest.gunzip(IdxTest.fixture(IdxTest.IMAGES_GZ));
    Path plain = dir.resolve("images-idx3-ubyte");
    Files.write(plain, images);
    float[][] read = Idx.images(Idx.read(plain));
    MappedArray mapped = Idx.map(plain).dividedBy(255f);
    assertEquals(12, mapped.rows());
    assertEquals(784, mapped.rowSize());
    for (int r = 0; r < 12; r++) {
      assertArrayEquals(read[r], mapped.row(r), "image " + r);
    }
    Path labels = dir.resolve("labels-idx1-ubyte");
    Files.write(labels, IdxTest.fixture(IdxTest.LABELS_PLAIN));
    MappedArray labelRows = Idx.map(labels);
    for (int r = 0; r < 12; r++) {
      assertEquals(IdxTest.FIXTURE_LABELS[r], labelRows.row(r)[0], 0f);
    }
    Path floats = dir.resolve("floats-idx");
    Files.write(floats, IdxTest.idx(0x0D, new int[] {2, 1}, new byte[] {0x3F, (byte) 0xC0, 0, 0, (byte) 0xC0, 0x20, 0, 0}));
    assertArrayEquals(new float[] {1.5f}, Idx.map(floats).row(0)); // big-endian, as IDX stores floats
    assertArrayEquals(new float[] {-2.5f}, Idx.map(floats).row(1));
  }

  @Test
  void gzipIdxCannotBeMappedAndBadFilesFailAsInRead() throws IOException {
    Path gz = dir.resolve("images.gz");
    Files.write(gz, IdxTest.fixture(IdxTest.IMAGES_GZ));
    assertEquals(gz + ": a gzip-compressed IDX file cannot be mapped; decompress it (gunzip) or read it with Idx.read",
        assertThrows(KilnFormatException.class, () -> Idx.map(gz)).getMessage());
    Path shortFile = dir.resolve("short-idx");
    Files.write(shortFile, IdxTest.idx(8, new int[] {5}, new byte[4]));
    KilnFormatException read = assertThrows(KilnFormatException.class, () -> Idx.read(shortFile));
    KilnFormatException map = assertThrows(KilnFormatException.class, () -> Idx.map(shortFile));
    assertEquals(read.getMessage(), map.getMessage());
    Path good = dir.resolve("good-idx");
    Files.write(good, IdxTest.idx(8, new int[] {2}, new byte[2]));
    MappedArray mapped = Idx.map(good);
    assertEquals("divisor must be finite and non-zero, was 0.0",
        assertThrows(IllegalArgumentException.class, () -> mapped.dividedBy(0f)).getMessage());
  }

  @Test
  void datasetsOverMappedArraysCheckRowsAndOneHotLabels() throws IOException {
    Path x = dir.resolve("x.npy");
    Path y = dir.resolve("y.npy");
    Npy.writeFloat32(x, new int[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6});
    Npy.writeInt64(y, new int[] {2}, new long[] {1, 0});
    IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
        () -> Dataset.of(Npy.map(x), Npy.map(y)));
    assertEquals(x + " has 3 rows but " + y + " has 2", rows.getMessage());

    Npy.writeInt64(y, new int[] {3}, new long[] {1, 0, 5});
    Dataset d = Dataset.of(Npy.map(x), Npy.map(y)).oneHotTargets(3);
    assertEquals(3, d.targetSize());
    float[] target = new float[4];
    d.copyTarget(0, target, 1);
    assertArrayEquals(new float[] {0, 0, 1, 0}, target);
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class, () -> d.copyTarget(2, target, 0));
    assertEquals("target 2 is 5.0, expected a class index in [0, 3)", label.getMessage());

    Dataset last = d.range(1, 3);
    assertEquals(2, last.size());
    float[] input = new float[2];
    last.copyInput(0, 0, input, 0);
    assertArrayEquals(new float[] {3, 4}, input);
    assertThrows(IndexOutOfBoundsException.class, () -> last.copyInput(0, 2, input, 0));
  }
}
