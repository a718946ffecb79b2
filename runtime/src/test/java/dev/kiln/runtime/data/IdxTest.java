package dev.kiln.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.data.Idx.ElementType;
import dev.kiln.runtime.io.KilnFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests {@link Idx} on a committed 12-item excerpt of the real Fashion-MNIST training set
 * (src/test/resources/data) and on malformed files built here.
 */
class IdxTest {
  static final String IMAGES_GZ = "train-12-images-idx3-ubyte.gz";
  static final String LABELS_GZ = "train-12-labels-idx1-ubyte.gz";
  static final String LABELS_PLAIN = "train-12-labels-idx1-ubyte";

  /** The first 12 training labels of Fashion-MNIST. */
  static final int[] FIXTURE_LABELS = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9};

  @TempDir Path dir;

  static byte[] fixture(String name) {
    try (InputStream in = IdxTest.class.getResourceAsStream("/data/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /data/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] gunzip(byte[] data) {
    try (InputStream in = new java.util.zip.GZIPInputStream(
        new java.io.ByteArrayInputStream(data))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An IDX header for {@code typeCode} and {@code dims}, followed by {@code data}. */
  static byte[] idx(int typeCode, int[] dims, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.put((byte) 0).put((byte) 0).put((byte) typeCode).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(data).array();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /** Asserts reading fails with a KilnFormatException naming the file and containing the parts. */
  KilnFormatException assertMalformed(String name, byte[] bytes, String... parts)
      throws IOException {
    Path path = write(name, bytes);
    KilnFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(KilnFormatException.class, () -> Idx.read(path)));
    assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "expected \"" + part + "\" in: " + e.getMessage());
    }
    return e;
  }

  // ---------------------------------------------------------------------------------------------
  // Valid files

  @Test
  void readsGzipImageFixture() throws IOException {
    IdxArray images = Idx.read(write(IMAGES_GZ, fixture(IMAGES_GZ)));
    assertEquals(ElementType.UNSIGNED_BYTE, images.type());
    assertArrayEquals(new int[] {12, 28, 28}, images.shape());
    assertEquals(3, images.rank());
    assertEquals(12, images.itemCount());
    assertEquals(784, images.itemSize());
    assertEquals(12 * 784, images.elementCount());
    assertEquals(12 * 784, images.data().length);
    // First nonzero pixels of the first image, known from the real file.
    for (int i = 0; i < 96; i++) {
      assertEquals(0f, images.get(i), "pixel " + i);
    }
    assertEquals(1f, images.get(96));
    assertEquals(13f, images.get(99));
    assertEquals(73f, images.get(100));
    // The centre pixel (14, 14) of each image, and pixel sums.
    int[] centres = {217, 204, 85, 137, 217, 184, 213, 229, 0, 0, 161, 251};
    for (int n = 0; n < 12; n++) {
      assertEquals(centres[n], images.get(n * 784 + 14 * 28 + 14), "image " + n);
    }
    assertEquals(76247, sum(images, 0, 784));
    assertEquals(79145, sum(images, 11 * 784, 12 * 784));
    assertEquals(738511, sum(images, 0, 12 * 784));
  }

  private static long sum(IdxArray array, int from, int to) {
    long s = 0;
    for (int i = from; i < to; i++) {
      s += array.data()[i] & 0xFF;
    }
    return s;
  }

  @Test
  void readsGzipAndPlainLabelFixturesAlike() throws IOException {
    IdxArray gz = Idx.read(write(LABELS_GZ, fixture(LABELS_GZ)));
    IdxArray plain = Idx.read(write(LABELS_PLAIN, fixture(LABELS_PLAIN)));
    assertEquals(gz, plain);
    assertEquals(gz.hashCode(), plain.hashCode());
    assertArrayEquals(new int[] {12}, plain.shape());
    assertArrayEquals(FIXTURE_LABELS, Idx.labels(plain));
    assertEquals("IdxArray[UNSIGNED_BYTE, [12]]", plain.toString());
  }

  @Test
  void detectsGzipByMagicNotByName() throws IOException {
    IdxArray gzNamedPlain = Idx.read(write("labels.idx", fixture(LABELS_GZ)));
    IdxArray plainNamedGz = Idx.read(write("labels.gz", fixture(LABELS_PLAIN)));
    assertArrayEquals(FIXTURE_LABELS, Idx.labels(gzNamedPlain));
    assertArrayEquals(FIXTURE_LABELS, Idx.labels(plainNamedGz));
  }

  @Test
  void imagesFlattensItemsAndScalesToUnitRange() throws IOException {
    IdxArray array = Idx.read(write(IMAGES_GZ, fixture(IMAGES_GZ)));
    float[][] images = Idx.images(array);
    assertEquals(12, images.length);
    float max = 0f;
    for (int n = 0; n < 12; n++) {
      assertEquals(784, images[n].length);
      for (int i = 0; i < 784; i++) {
        float v = images[n][i];
        assertTrue(v >= 0f && v <= 1f, "image " + n + " pixel " + i + " = " + v);
        assertEquals(array.get(n * 784 + i) / 255f, v);
        max = Math.max(max, v);
      }
    }
    assertEquals(1f, max);
    assertEquals(73 / 255f, images[0][100]);
  }

  @Test
  void conversionsRejectWrongShapesOrTypes() throws IOException {
    IdxArray labels = Idx.read(write(LABELS_PLAIN, fixture(LABELS_PLAIN)));
    IdxArray images = Idx.read(write(IMAGES_GZ, fixture(IMAGES_GZ)));
    assertThrows(IllegalArgumentException.class, () -> Idx.images(labels));
    assertThrows(IllegalArgumentException.class, () -> Idx.labels(images));
    IdxArray floats = new IdxArray(ElementType.FLOAT, new int[] {1, 1}, new byte[4]);
    assertThrows(IllegalArgumentException.class, () -> Idx.images(floats));
  }

  @Test
  void readsFloatElementsBigEndian() throws IOException {
    float[] values = {1.5f, -2f, 0f, Float.MAX_VALUE, Float.NaN, -0.25f};
    ByteBuffer data = ByteBuffer.allocate(4 * values.length); // big-endian by default
    for (float v : values) {
      data.putFloat(v);
    }
    IdxArray array = Idx.read(write("floats.idx", idx(0x0D, new int[] {2, 3}, data.array())));
    assertEquals(ElementType.FLOAT, array.type());
    assertArrayEquals(new int[] {2, 3}, array.shape());
    assertEquals(6, array.elementCount());
    assertEquals(3, array.itemSize());
    assertArrayEquals(values, array.toFloatArray());
    assertEquals(-0.25f, array.get(5));
    assertThrows(IndexOutOfBoundsException.class, () -> array.get(6));
  }

  @Test
  void readsEmptyArraysAndConcatenatedGzipMembers() throws IOException {
    IdxArray empty = Idx.read(write("empty.idx", idx(0x08, new int[] {0, 28, 28}, new byte[0])));
    assertArrayEquals(new int[] {0, 28, 28}, empty.shape());
    assertEquals(0, Idx.images(empty).length);

    byte[] plain = fixture(LABELS_PLAIN);
    byte[] twoMembers = concat(gzip(Arrays.copyOf(plain, 11)),
        gzip(Arrays.copyOfRange(plain, 11, plain.length)));
    assertArrayEquals(FIXTURE_LABELS, Idx.labels(Idx.read(write("two.gz", twoMembers))));
  }

  @Test
  void shapeIsCopiedAndConstructorValidates() {
    int[] shape = {2};
    IdxArray array = new IdxArray(ElementType.UNSIGNED_BYTE, shape, new byte[] {1, 2});
    shape[0] = 5;
    array.shape()[0] = 7;
    assertArrayEquals(new int[] {2}, array.shape());
    assertThrows(IllegalArgumentException.class,
        () -> new IdxArray(ElementType.UNSIGNED_BYTE, new int[] {3}, new byte[2]));
    assertThrows(IllegalArgumentException.class,
        () -> new IdxArray(ElementType.UNSIGNED_BYTE, new int[0], new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> new IdxArray(ElementType.UNSIGNED_BYTE, new int[] {1, 1, 1, 1, 1}, new byte[1]));
    assertThrows(IllegalArgumentException.class,
        () -> new IdxArray(ElementType.UNSIGNED_BYTE, new int[] {-1}, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new IdxArray(ElementType.FLOAT,
        new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[0]));
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed files

  @Test
  void rejectsFilesTooShortForTheHeader() throws IOException {
    assertMalformed("empty", new byte[0], "0 bytes, too short");
    assertMalformed("three", new byte[] {0, 0, 8}, "3 bytes, too short");
    assertMalformed("cut-dims", Arrays.copyOf(fixture(LABELS_PLAIN), 6), "too short",
        "8-byte header");
    assertMalformed("cut-dims.gz", gzip(Arrays.copyOf(fixture(LABELS_PLAIN), 6)),
        "decompressed stream", "too short");
  }

  @Test
  void rejectsBadMagic() throws IOException {
    byte[] bad = fixture(LABELS_PLAIN);
    bad[0] = 1;
    assertMalformed("bad-magic", bad, "bad magic number 0x01000801");
    bad = fixture(LABELS_PLAIN);
    bad[1] = (byte) 0x80;
    assertMalformed("bad-magic.gz", gzip(bad), "bad magic number");
    assertMalformed("text.idx", "hello, world".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "bad magic number");
  }

  @Test
  void rejectsUnsupportedElementTypes() throws IOException {
    int[][] cases = {{0x09, 1}, {0x0B, 2}, {0x0C, 4}, {0x0E, 8}, {0x42, 1}};
    String[] names = {"signed byte", "short", "int", "double", "not an IDX type"};
    for (int i = 0; i < cases.length; i++) {
      assertMalformed("type" + i, idx(cases[i][0], new int[] {2}, new byte[2 * cases[i][1]]),
          "unsupported element type", String.format("0x%02X", cases[i][0]), names[i]);
    }
  }

  @Test
  void rejectsRankZeroAndAboveFour() throws IOException {
    assertMalformed("rank0", new byte[] {0, 0, 8, 0, 1, 2, 3}, "rank 0");
    assertMalformed("rank5", idx(8, new int[] {1, 1, 1, 1, 1}, new byte[1]), "rank 5");
    assertMalformed("rank255.gz", gzip(new byte[] {0, 0, 8, (byte) 255}), "rank 255");
  }

  @Test
  void rejectsNegativeDimensions() throws IOException {
    assertMalformed("negative", idx(8, new int[] {2, -3}, new byte[0]), "dimension 1 at byte 8",
        "negative");
  }

  @Test
  void rejectsDeclaredSizeLargerThanTheData() throws IOException {
    byte[] truncated = Arrays.copyOf(fixture(LABELS_PLAIN), 15);
    assertMalformed("short", truncated, "12 bytes of data but only 7", "truncated");
    assertMalformed("short.gz", gzip(truncated), "ends at byte 15, after 7 of the 12 data bytes");
    byte[] images = gunzip(fixture(IMAGES_GZ));
    assertMalformed("images-short.gz", gzip(Arrays.copyOf(images, images.length - 1)),
        "after 9407 of the 9408 data bytes");
  }

  @Test
  void rejectsHugeDeclaredSizesInTinyFilesWithoutAllocating() throws IOException {
    int max = Integer.MAX_VALUE;
    // Fits in an array, but not in the file.
    assertMalformed("big", idx(8, new int[] {max - 8}, new byte[12]), "declares 2147483639");
    assertMalformed("big.gz", gzip(idx(8, new int[] {max - 8}, new byte[12])),
        "declares 2147483639", "1032:1");
    assertMalformed("big-float.gz", gzip(idx(0x0D, new int[] {1 << 28}, new byte[12])),
        "1032:1");
    // Larger than any array, or overflowing int and long arithmetic.
    assertMalformed("huge", idx(8, new int[] {1 << 16, 1 << 16}, new byte[0]),
        "largest Java array");
    assertMalformed("huge.gz", gzip(idx(0x0D, new int[] {max, max, max, max}, new byte[0])),
        "largest Java array");
    assertMalformed("float-huge", idx(0x0D, new int[] {1 << 29}, new byte[4]),
        "largest Java array");
  }

  @Test
  void lyingGzipHeaderWithinTheRatioBoundFailsWithoutAHugeAllocation() throws IOException {
    // 2.2 MB of incompressible data: the file is large enough that deflate's 1032:1 ratio would
    // allow the 2 GB its header claims, so only reading the data can expose the lie.
    byte[] noise = new byte[2_200_000];
    new Random(7).nextBytes(noise);
    Path path = write("lying.gz", gzip(idx(8, new int[] {Integer.MAX_VALUE - 8}, noise)));
    assertTrue(Files.size(path) * Idx.MAX_GZIP_RATIO > Integer.MAX_VALUE - 8L);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(thread);
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> Idx.read(path));
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertEquals(path + ": decompressed stream ends at byte 2200008, after 2200000 of the"
        + " 2147483639 data bytes shape [2147483639] of unsigned byte declares (truncated?)",
        e.getMessage());
    // The data read (2.2 MB, twice while gathering it) plus buffers; the old reader took 2 GB.
    assertTrue(allocated < 16L << 20, allocated + " bytes allocated");
  }

  @Test
  void rejectsTrailingData() throws IOException {
    byte[] plain = fixture(LABELS_PLAIN);
    byte[] longer = concat(plain, new byte[] {7, 7, 7});
    assertMalformed("trailing", longer, "3 trailing bytes at byte 20");
    assertMalformed("trailing.gz", gzip(longer), "trailing data at byte 20");
    // Garbage after the last gzip member, which java.util.zip.GZIPInputStream would ignore.
    byte[] gz = fixture(LABELS_GZ);
    assertMalformed("garbage.gz", concat(gz, new byte[] {1, 2, 3}),
        "garbage at byte " + gz.length);
    assertMalformed("half-member.gz", concat(gz, new byte[] {0x1f, (byte) 0x8b, 8}),
        "inside the header of the member at byte " + gz.length);
  }

  @Test
  void rejectsCorruptGzip() throws IOException {
    byte[] gz = fixture(IMAGES_GZ);
    byte[] flipped = gz.clone();
    flipped[gz.length / 2] ^= 0x55;
    // Depending on where corrupt deflate data goes wrong it fails to inflate, inflates to the
    // wrong length or fails the CRC-32 check: all are format errors naming the file.
    assertMalformed("flipped.gz", flipped);

    byte[] badCrc = gz.clone();
    badCrc[gz.length - 8] ^= 1;
    assertMalformed("crc.gz", badCrc, "fails its CRC-32 check");
    byte[] badSize = gz.clone();
    badSize[gz.length - 1] ^= 1;
    assertMalformed("size.gz", badSize, "trailer says");
    assertMalformed("cut-trailer.gz", Arrays.copyOf(gz, gz.length - 3), "inside the trailer");
    assertMalformed("cut-data.gz", Arrays.copyOf(gz, gz.length / 2),
        "inside the compressed data", "truncated");
    assertMalformed("cut-header.gz", Arrays.copyOf(gz, 5), "inside the header");
    byte[] method = gz.clone();
    method[2] = 7;
    assertMalformed("method.gz", method, "compression method 7");
    byte[] flags = gz.clone();
    flags[3] |= 0x20;
    assertMalformed("flags.gz", flags, "reserved flag");
    byte[] blockType = gz.clone();
    blockType[10] = (byte) 0xFF; // first deflate block header: type 3 is invalid
    assertMalformed("block.gz", blockType, "corrupt deflate data");
  }

  /**
   * Byte flips, truncations, insertions and header rewrites of small valid files must each either
   * read or fail with a KilnFormatException naming the file: never another exception.
   */
  @Test
  void fuzzedFilesFailOnlyWithKilnFormatException() throws IOException {
    byte[][] bases = {fixture(LABELS_PLAIN), fixture(LABELS_GZ),
        idx(8, new int[] {3, 4, 5}, new byte[60]), gzip(idx(8, new int[] {3, 4, 5}, new byte[60])),
        Arrays.copyOf(fixture(IMAGES_GZ), 600)};
    Random random = new Random(20240607L);
    Path path = dir.resolve("fuzz.idx");
    int read = 0;
    int rejected = 0;
    // The suite runs a short seeded corpus; -Dkiln.fuzz.iterations=N runs a longer campaign.
    int iterations = Integer.getInteger("kiln.fuzz.iterations", 2000);
    for (int iteration = 0; iteration < iterations; iteration++) {
      byte[] base = bases[iteration % bases.length];
      byte[] bytes = mutate(base, random);
      Files.write(path, bytes);
      try {
        IdxArray array = Idx.read(path);
        assertEquals(array.elementCount() * array.type().byteSize(), array.data().length);
        read++;
      } catch (KilnFormatException e) {
        assertTrue(e.getMessage().startsWith(path.toString()), e.getMessage());
        rejected++;
      } catch (Throwable t) {
        fail("iteration " + iteration + " threw " + t + " for bytes " + Arrays.toString(bytes), t);
      }
    }
    assertEquals(iterations, read + rejected);
    assertTrue(rejected > 1000, "only " + rejected + " mutations rejected");
  }

  private static byte[] mutate(byte[] base, Random random) {
    byte[] bytes = base.clone();
    switch (random.nextInt(5)) {
      case 0 -> { // flip a few bits
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) {
          bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case 1 -> { // overwrite a byte, biased towards the headers
        int at = random.nextInt(Math.min(bytes.length, random.nextBoolean() ? 24 : bytes.length));
        bytes[at] = (byte) random.nextInt(256);
      }
      case 2 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length)); // truncate
      case 3 -> { // insert or append random bytes
        int at = random.nextInt(bytes.length + 1);
        byte[] extra = new byte[1 + random.nextInt(8)];
        random.nextBytes(extra);
        byte[] out = new byte[bytes.length + extra.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(bytes, at, out, at + extra.length, bytes.length - at);
        bytes = out;
      }
      default -> { // set a plain header's dimension to an extreme value
        if (bytes.length >= 8 && bytes[0] == 0) {
          int[] extremes = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, 65536};
          ByteBuffer.wrap(bytes).putInt(4 * (1 + random.nextInt((bytes.length - 4) / 4 > 3
              ? 3 : (bytes.length - 4) / 4)), extremes[random.nextInt(extremes.length)]);
        } else {
          bytes[random.nextInt(bytes.length)] = 0;
        }
      }
    }
    return bytes;
  }
}
