package dev.kiln.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.data.Npy.DType;
import dev.kiln.runtime.io.KilnFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests {@link Npy} on files written by NumPy (src/test/resources/data/npy) and built here. */
class NpyTest {
  @TempDir Path dir;

  static byte[] fixture(String name) {
    try (InputStream in = NpyTest.class.getResourceAsStream("/data/npy/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  NpyArray readFixture(String name) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, fixture(name));
    return Npy.read(p);
  }

  @Test
  void readsFilesWrittenByNumpy() throws IOException {
    NpyArray f4 = readFixture("f4_2x3.npy");
    assertEquals(DType.FLOAT32, f4.dtype());
    assertArrayEquals(new int[] {2, 3}, f4.shape());
    assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, f4.toFloatArray());

    NpyArray f8 = readFixture("f8_3.npy");
    assertEquals(DType.FLOAT64, f8.dtype());
    assertArrayEquals(new int[] {3}, f8.shape());
    assertArrayEquals(new double[] {1.5, -2.25, 0.1}, f8.toDoubleArray());
    assertArrayEquals(new float[] {1.5f, -2.25f, 0.1f}, f8.toFloatArray());

    NpyArray i4 = readFixture("i4_2x2x2.npy");
    assertEquals(DType.INT32, i4.dtype());
    assertArrayEquals(new int[] {2, 2, 2}, i4.shape());
    assertArrayEquals(new int[] {-4, -3, -2, -1, 0, 1, 2, 3}, i4.toIntArray());
    assertArrayEquals(new long[] {-4, -3, -2, -1, 0, 1, 2, 3}, i4.toLongArray());
    assertArrayEquals(new float[] {-4, -3, -2, -1, 0, 1, 2, 3}, i4.toFloatArray());

    NpyArray i8 = readFixture("i8_4.npy");
    assertEquals(DType.INT64, i8.dtype());
    assertArrayEquals(new int[] {4}, i8.shape());
    assertArrayEquals(new long[] {0, 2, 1, 1L << 40}, i8.toLongArray());
    assertArrayEquals(new double[] {0, 2, 1, 0x1p40}, i8.toDoubleArray());
    IllegalStateException tooBig = assertThrows(IllegalStateException.class, i8::toIntArray);
    assertTrue(tooBig.getMessage().contains("element 3"), tooBig.getMessage());
    assertThrows(IllegalStateException.class, f4::toLongArray);
    assertThrows(IllegalStateException.class, f4::toIntArray);

    NpyArray scalar = readFixture("f4_scalar.npy");
    assertEquals(0, scalar.rank());
    assertArrayEquals(new float[] {3.5f}, scalar.toFloatArray());

    NpyArray empty = readFixture("f4_0x3.npy");
    assertArrayEquals(new int[] {0, 3}, empty.shape());
    assertEquals(0, empty.elementCount());

    NpyArray v2 = readFixture("f4_v2_2x2.npy");
    assertArrayEquals(new int[] {2, 2}, v2.shape());
    assertArrayEquals(new float[] {1, 2, 3, 4}, v2.toFloatArray());
  }

  @Test
  void writesTheSameBytesAsNumpy() throws IOException {
    for (String name : List.of("f4_2x3.npy", "f8_3.npy", "i4_2x2x2.npy", "i8_4.npy",
        "f4_scalar.npy", "f4_0x3.npy")) {
      NpyArray a = readFixture(name);
      Path out = dir.resolve("out-" + name);
      Npy.write(out, a);
      assertArrayEquals(fixture(name), Files.readAllBytes(out), name);
    }
    Path out = dir.resolve("f.npy");
    Npy.writeFloat32(out, new int[] {2, 3}, new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f});
    assertArrayEquals(fixture("f4_2x3.npy"), Files.readAllBytes(out));
    Npy.writeInt64(out, new int[] {4}, new long[] {0, 2, 1, 1L << 40});
    assertArrayEquals(fixture("i8_4.npy"), Files.readAllBytes(out));
  }

  @Test
  void roundTripsAllTypesAndRanks() throws IOException {
    Random r = new Random(7);
    int[][] shapes = {{}, {5}, {2, 3}, {2, 1, 4}, {1, 2, 1, 3, 1}, {0}, {3, 0, 2}};
    for (int[] shape : shapes) {
      int n = (int) Npy.elementCount(shape);
      float[] f = new float[n];
      double[] d = new double[n];
      int[] i = new int[n];
      long[] l = new long[n];
      for (int k = 0; k < n; k++) {
        f[k] = r.nextFloat() * 100 - 50;
        d[k] = r.nextGaussian() * 1e200;
        i[k] = r.nextInt();
        l[k] = r.nextLong();
      }
      for (NpyArray a : List.of(NpyArray.ofFloats(shape, f), NpyArray.ofDoubles(shape, d),
          NpyArray.ofInts(shape, i), NpyArray.ofLongs(shape, l))) {
        Path p = dir.resolve("rt.npy");
        Npy.write(p, a);
        assertEquals(0, (Files.size(p) - (long) n * a.dtype().byteSize()) % 64, "header alignment");
        NpyArray b = Npy.read(p);
        assertEquals(a, b, a.toString());
      }
      assertArrayEquals(f, NpyArray.ofFloats(shape, f).toFloatArray());
      assertArrayEquals(d, NpyArray.ofDoubles(shape, d).toDoubleArray());
      assertArrayEquals(i, NpyArray.ofInts(shape, i).toIntArray());
      assertArrayEquals(l, NpyArray.ofLongs(shape, l).toLongArray());
    }
  }

  @Test
  void writeIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
    Path p = dir.resolve("a.npy");
    Files.writeString(p, "old");
    Npy.writeFloat32(p, new int[] {1}, new float[] {2});
    assertArrayEquals(new float[] {2}, Npy.read(p).toFloatArray());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(p), files.toList());
    }
    assertThrows(IllegalArgumentException.class,
        () -> Npy.writeFloat32(p, new int[] {2, 2}, new float[3]));
    assertThrows(IllegalArgumentException.class,
        () -> Npy.writeFloat32(p, new int[] {-1}, new float[0]));
    assertArrayEquals(new float[] {2}, Npy.read(p).toFloatArray());
  }

  @Test
  void longHeaderUsesVersion2() throws IOException {
    int[] shape = new int[Npy.MAX_RANK];
    Arrays.fill(shape, 1);
    byte[] header = Npy.header(DType.FLOAT32, shape);
    assertEquals(1, header[6]);
    assertEquals(0, header.length % 64);
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed files

  static byte[] file(int major, String dict, byte[] data) {
    byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
    int prefix = major == 1 ? 10 : 12;
    ByteBuffer b = ByteBuffer.allocate(prefix + text.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) text.length);
    } else {
      b.putInt(text.length);
    }
    return b.put(text).put(data).array();
  }

  static String dict(String descr, String fortran, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape
        + ", }\n";
  }

  void assertMalformed(byte[] bytes, String... expected) throws IOException {
    Path p = dir.resolve("bad.npy");
    Files.write(p, bytes);
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> Npy.read(p));
    String m = e.getMessage();
    assertTrue(m.startsWith(p + ": "), m);
    for (String s : expected) {
      assertTrue(m.contains(s), () -> "expected \"" + s + "\" in: " + m);
    }
  }

  @Test
  void rejectsBigEndianAndFortranOrder() throws IOException {
    assertMalformed(fixture("f4_bigendian.npy"), "'>f4'", "big-endian");
    assertMalformed(fixture("f4_fortran.npy"), "fortran_order True");
    assertMalformed(file(1, dict("<f2", "False", "(1,)"), new byte[2]), "'<f2'",
        "unsupported element type");
    assertMalformed(file(1, dict("|u1", "False", "(1,)"), new byte[1]), "'|u1'");
  }

  @Test
  void rejectsMalformedPrefixes() throws IOException {
    byte[] good = fixture("f4_2x3.npy");
    assertMalformed(new byte[0], "too short");
    assertMalformed(Arrays.copyOf(good, 7), "too short");
    assertMalformed(Arrays.copyOf(good, 9), "too short for the 10-byte prefix");
    byte[] magic = good.clone();
    magic[1] = 'n';
    assertMalformed(magic, "bad magic at byte 1");
    byte[] version = good.clone();
    version[6] = 4;
    assertMalformed(version, "version 4.0");
    version[6] = 1;
    version[7] = 1;
    assertMalformed(version, "version 1.1");
    byte[] headerLength = good.clone();
    headerLength[8] = (byte) 0xFF;
    headerLength[9] = (byte) 0x7F;
    assertMalformed(headerLength, "header length 32767", "runs past the end");
    byte[] huge = file(2, "{}", new byte[0]);
    ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
    assertMalformed(huge, "header length 4294967295", "exceeds");
    assertMalformed(Arrays.copyOf(good, 80), "runs past the end");
  }

  @Test
  void rejectsMalformedHeaderDicts() throws IOException {
    byte[] four = new byte[4];
    assertMalformed(file(1, "", four), "expected '{'");
    assertMalformed(file(1, "['descr']", four), "expected '{'");
    assertMalformed(file(1, "{'descr': '<f4', 'shape': (1,)}", four), "missing key 'fortran_order'");
    assertMalformed(file(1, "{'descr': '<f4', 'fortran_order': False}", four), "missing key 'shape'");
    assertMalformed(file(1, "{'fortran_order': False, 'shape': (1,)}", four), "missing key 'descr'");
    assertMalformed(file(1, dict("<f4", "False", "(1,)").replace("}", "'extra': 1}"), four),
        "unexpected key 'extra'");
    assertMalformed(file(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False,"
        + " 'shape': (1,)}", four), "duplicate key 'descr'");
    assertMalformed(file(1, dict("<f4", "false", "(1,)"), four), "expected True or False");
    assertMalformed(file(1, dict("<f4", "0", "(1,)"), four), "expected True or False");
    assertMalformed(file(1, "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", four),
        "header at byte 27: expected '}' but found 'f'");
    assertMalformed(file(1, "{'descr' '<f4'}", four), "expected ':' but found");
    assertMalformed(file(1, "{'descr': '<f4", four), "unterminated string");
    assertMalformed(file(1, "{'descr': '<\\x66', 'fortran_order': False, 'shape': (1,)}", four),
        "escape");
    assertMalformed(file(1, "{descr: '<f4'}", four), "expected a quoted string");
    assertMalformed(file(1, dict("<f4", "False", "(1)"), four), "trailing comma");
    assertMalformed(file(1, dict("<f4", "False", "[1]"), four), "expected '('");
    assertMalformed(file(1, dict("<f4", "False", "(-1,)"), four), "non-negative integer");
    assertMalformed(file(1, dict("<f4", "False", "(1.0,)"), four), "expected ')' but found '.'");
    assertMalformed(file(1, dict("<f4", "False", "(1,,)"), four), "non-negative integer");
    assertMalformed(file(1, dict("<f4", "False", "(2147483648,)"), four), "larger than");
    assertMalformed(file(1, dict("<f4", "False", "(99999999999999999999999,)"), four),
        "larger than");
    assertMalformed(file(1, dict("<f4", "False", "(" + "1, ".repeat(33) + ")"), four),
        "more than 32 dimensions");
    assertMalformed(file(1, dict("<f4", "False", "(1,)") + "x", four), "unexpected 'x' after");
    assertMalformed(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", four),
        "expected '}'");
    // Python 2 long suffixes and double quotes are valid Python literals
    NpyArray ok = readBytes(file(1, "{\"descr\": \"<f4\", \"fortran_order\": False,"
        + " \"shape\": (1L, 1L)}", four));
    assertArrayEquals(new int[] {1, 1}, ok.shape());
  }

  NpyArray readBytes(byte[] bytes) throws IOException {
    Path p = dir.resolve("ok.npy");
    Files.write(p, bytes);
    return Npy.read(p);
  }

  @Test
  void rejectsDataNotMatchingTheShape() throws IOException {
    assertMalformed(file(1, dict("<f4", "False", "(2, 3)"), new byte[20]),
        "declares 24 bytes of data but only 20 follow", "truncated");
    assertMalformed(file(1, dict("<f8", "False", "(2,)"), new byte[17]),
        "1 trailing bytes", "after the 16 data bytes");
    assertMalformed(file(1, dict("<f4", "False", "()"), new byte[0]), "declares 4 bytes");
  }

  @Test
  void hugeDeclaredShapeFailsFastWithoutAllocating() {
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      // A 20-odd-byte header claiming 10^12 elements, and one claiming 2^31 x 2^31 x ... elements
      assertMalformed(file(1, "{'descr':'<f4','fortran_order':False,'shape':(1000000,1000000)}",
          new byte[4]), "declares more than");
      assertMalformed(file(1, dict("<i8", "False", "(2147483647, 2147483647, 2147483647)"),
          new byte[8]), "declares more than");
      assertMalformed(file(1, dict("<i4", "False", "(100000000,)"), new byte[8]),
          "declares 400000000 bytes of data but only 8 follow");
    });
  }

  @Test
  void fuzzedFilesOnlyFailWithKilnFormatException() throws IOException {
    byte[] valid = fixture("f4_2x3.npy");
    Random random = new Random(1234);
    byte[] alphabet = "{}()[]',: 0123456789-<>fiFTrueals\n\u0093".getBytes(StandardCharsets.ISO_8859_1);
    Path p = dir.resolve("fuzz.npy");
    int ok = 0;
    // The suite runs a short seeded corpus; -Dkiln.fuzz.iterations=N runs a longer campaign.
    int iterations = Integer.getInteger("kiln.fuzz.iterations", 1000);
    for (int round = 0; round < iterations; round++) {
      byte[] b = valid.clone();
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits && b.length > 0; e++) {
        int at = random.nextInt(Math.min(b.length, round % 3 == 0 ? b.length : 128));
        switch (random.nextInt(4)) {
          case 0 -> b[at] = alphabet[random.nextInt(alphabet.length)];
          case 1 -> b = Arrays.copyOf(b, at);
          case 2 -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(b, 0, at);
            out.write(alphabet[random.nextInt(alphabet.length)]);
            out.write(b, at, b.length - at);
            b = out.toByteArray();
          }
          default -> b[at] = (byte) random.nextInt(256);
        }
      }
      Files.write(p, b);
      try {
        NpyArray a = Npy.read(p);
        assertEquals(a.elementCount(), Npy.elementCount(a.shape()));
        ok++;
      } catch (KilnFormatException expected) {
        // fine
      } catch (IOException | RuntimeException unexpected) {
        fail("round " + round + ": " + unexpected, unexpected);
      }
    }
    assertTrue(ok > 0 && ok < iterations, "successes: " + ok);
  }
}
