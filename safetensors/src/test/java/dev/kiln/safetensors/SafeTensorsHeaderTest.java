package dev.kiln.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The header reader, through both entry points: every file is read from a {@link FileChannel} and
 * from an {@link java.io.InputStream}, and the two must agree on the result or the exact message.
 */
class SafeTensorsHeaderTest {
  @TempDir Path dir;

  private static final String OK_ENTRY = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

  // ---------------------------------------------------------------------------------------------
  // Valid files

  /** A file assembled byte by byte from the format description, as another writer would. */
  @Test
  void readsAHandMadeFileMatchingTheSpecification() throws IOException {
    String header = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"__metadata__\":{\"format\":\"pt\"},"
        + "\"a\":{\"shape\":[1,3],\"dtype\":\"I8\",\"data_offsets\":[8,11]},"
        + "\"\\u00e9\\ud83d\\ude00\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[11,15]}}";
    byte[] headerBytes = header.getBytes(StandardCharsets.US_ASCII);
    int padding = (8 - headerBytes.length % 8) % 8;
    int n = headerBytes.length + padding;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(n & 0xFF); // header length, unsigned 64-bit little-endian
    out.write((n >>> 8) & 0xFF);
    out.write((n >>> 16) & 0xFF);
    out.write((n >>> 24) & 0xFF);
    out.write(new byte[4]);
    out.write(headerBytes);
    for (int i = 0; i < padding; i++) {
      out.write(' ');
    }
    out.write(new byte[15]);

    SafeTensorsHeader h = read(out.toByteArray());
    assertEquals(8 + n, h.dataStart());
    assertEquals(15, h.dataLength());
    assertEquals(Map.of("format", "pt"), h.metadata());
    assertEquals(List.of(
            new TensorInfo("b", DType.F32, new long[] {2}, 0, 8),
            new TensorInfo("a", DType.I8, new long[] {1, 3}, 8, 11),
            new TensorInfo("é😀", DType.F32, new long[0], 11, 15)),
        h.tensors());
    assertEquals(List.of("b", "a", "é😀"), List.copyOf(h.tensorsByName().keySet()));
    assertEquals(1, h.tensorsByName().get("é😀").elementCount());
    assertEquals(3, h.tensorsByName().get("a").byteLength());
  }

  @Test
  void readsEveryDtype() throws IOException {
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (DType d : DType.values()) {
      header.append(header.length() > 1 ? "," : "").append('"').append(d).append("\":{\"dtype\":\"")
          .append(d).append("\",\"shape\":[2],\"data_offsets\":[").append(offset).append(',')
          .append(offset + 2L * d.byteSize()).append("]}");
      offset += 2L * d.byteSize();
    }
    header.append('}');
    SafeTensorsHeader h = read(fileBytes(header.toString(), new byte[(int) offset]));
    for (DType d : DType.values()) {
      assertEquals(d, h.tensorsByName().get(d.name()).dtype());
      assertEquals(2L * d.byteSize(), h.tensorsByName().get(d.name()).byteLength());
    }
    assertEquals(List.of(DType.U8, DType.I8, DType.I16, DType.U16, DType.I32, DType.U32,
            DType.I64, DType.U64),
        Arrays.stream(DType.values()).filter(DType::isInteger).toList());
  }

  @Test
  void readsScalarsZeroSizeTensorsAndEmptyFiles() throws IOException {
    SafeTensorsHeader h = read(fileBytes("{\"n\":{\"dtype\":\"I64\",\"shape\":[],"
        + "\"data_offsets\":[0,8]},\"e\":{\"dtype\":\"F32\",\"shape\":[2,0],"
        + "\"data_offsets\":[8,8]},\"__metadata__\":null}", new byte[8]));
    assertArrayEquals(new long[0], h.tensorsByName().get("n").shape());
    assertEquals(8, h.tensorsByName().get("n").byteLength());
    assertEquals(0, h.tensorsByName().get("e").elementCount());
    assertEquals(Map.of(), h.metadata());

    SafeTensorsHeader empty = read(fileBytes("{}      ", new byte[0]));
    assertEquals(List.of(), empty.tensors());
    assertEquals(16, empty.dataStart());
    assertEquals(0, empty.dataLength());
  }

  // ---------------------------------------------------------------------------------------------
  // Not safetensors at all

  @Test
  void aTextFileIsNotASafetensorsFile() throws IOException {
    byte[] text = "# Kiln weights\nhidden.weight = [[1, 2], [3, 4]]\n"
        .getBytes(StandardCharsets.US_ASCII);
    SafeTensorsFormatException e = formatError(text);
    assertEquals("not a safetensors file (it starts with the text \"# Kiln w\", not an 8-byte "
        + "header length followed by a '{' JSON header)", e.problem());
    assertFalse(e.getMessage().contains("exceeds the limit"), e.getMessage());
  }

  @Test
  void randomBytesAreNotASafetensorsFile() throws IOException {
    Random random = new Random(77);
    int notSafetensors = 0;
    for (int i = 0; i < 200; i++) {
      byte[] bytes = new byte[9 + random.nextInt(4000)];
      random.nextBytes(bytes);
      SafeTensorsFormatException e = formatError(bytes);
      if (e.problem().startsWith("not a safetensors file (it starts with the bytes ")) {
        notSafetensors++;
      }
    }
    // Only a '{' as the ninth byte (1 in 256) makes random bytes look like a header.
    assertTrue(notSafetensors >= 195, notSafetensors + " of 200");

    byte[] bytes = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};
    assertEquals("not a safetensors file (it starts with the bytes 89 50 4E 47 0D 0A 1A 0A, "
        + "not an 8-byte header length followed by a '{' JSON header)", formatError(bytes).problem());
  }

  @Test
  void rejectsFilesTooShortForTheLengthPrefix() throws IOException {
    assertFormatError(new byte[0],
        "not a safetensors file: file is 0 bytes, too short for the 8-byte header length prefix");
    assertFormatError("hello".getBytes(StandardCharsets.US_ASCII), "file is 5 bytes");
  }

  @Test
  void rejectsHeaderLengthsOutOfRange() throws IOException {
    assertFormatError(withLength(100, "{}".getBytes(StandardCharsets.US_ASCII)),
        "header length 100 runs past the end of the file (10 bytes; truncated?)");
    assertFormatError(withLength(100, new byte[0]),
        "header length 100 runs past the end of the file (8 bytes; truncated?)");
    assertFormatError(withLength(100_000_001, "{}".getBytes(StandardCharsets.US_ASCII)),
        "header length 100000001 exceeds the limit of 100000000 bytes");
    assertFormatError(withLength(-1, "{\"a\":1}".getBytes(StandardCharsets.US_ASCII)),
        "header length 18446744073709551615 exceeds the limit");
    assertFormatError(withLength(100, new byte[16]), "not a safetensors file (it starts with the "
        + "bytes 64 00 00 00 00 00 00 00");
    assertFormatError(withLength(0, new byte[0]),
        "not a safetensors file: header must start with '{', found an empty header");
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed headers

  @Test
  void rejectsHeadersThatAreNotAJsonObject() throws IOException {
    assertFormatError(fileBytes(" {}", new byte[0]), "header must start with '{', found byte 0x20");
    assertFormatError(fileBytes("[]", new byte[0]), "header must start with '{', found byte 0x5B");
    assertFormatError(fileBytes("{\"a\":" + OK_ENTRY + ",}", new byte[8]),
        "header is not valid JSON", "expected a string key at byte");
    assertFormatError(fileBytes("{\"a\":" + OK_ENTRY, new byte[8]),
        "header is not valid JSON", "expected ',' or '}'");
    assertFormatError(fileBytes("{} x", new byte[0]), "after the JSON value at byte 3");
    byte[] badUtf8 = fileBytes("{\"a\u00e9\":" + OK_ENTRY + "}", new byte[8]);
    badUtf8[8 + 3] = (byte) 0xFF; // first byte of the two-byte é
    assertFormatError(badUtf8, "header is not valid JSON", "invalid UTF-8 lead byte 0xFF at byte 3");
    assertFormatError(fileBytes("{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}", new byte[0]),
        "nesting deeper than 64");
    assertFormatError(fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
        + "\"data_offsets\":[0,8]}}", new byte[8]), "out of the 64-bit range");
    assertFormatError(fileBytes("{\"\\ud800\":" + OK_ENTRY + "}", new byte[8]),
        "lone high surrogate");
    assertFormatError(fileBytes("{\"a\\qb\":" + OK_ENTRY + "}", new byte[8]),
        "header is not valid JSON: invalid escape at byte 3 of the header");
  }

  @Test
  void rejectsMissingOrIllTypedFields() throws IOException {
    byte[] eight = new byte[8];
    assertFormatError(entry("\"x\"", eight), "tensor \"t\" must be an object", "found a string");
    assertFormatError(entry("{\"shape\":[2],\"data_offsets\":[0,8]}", eight),
        "tensor \"t\" is missing field \"dtype\"");
    assertFormatError(entry("{\"dtype\":\"F32\",\"data_offsets\":[0,8]}", eight),
        "tensor \"t\" is missing field \"shape\"");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2]}", eight),
        "tensor \"t\" is missing field \"data_offsets\"");
    assertFormatError(entry("{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}", eight),
        "field \"dtype\" must be a string, found an integer");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}", eight),
        "field \"shape\" must be an array of integers, found an integer");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}", eight),
        "field \"shape\" must be an array of integers, element 0 is a non-integer number");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}", eight),
        "element 0 is a string");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}", eight),
        "field \"data_offsets\" must be an array of 2 integers, found 3 elements");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":null}", eight),
        "field \"data_offsets\" must be an array of 2 integers, found null");
    assertFormatError(
        entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":1}", eight),
        "tensor \"t\" has unexpected field \"extra\"");
    assertFormatError(fileBytes("{\"__metadata__\":[]}", new byte[0]),
        "\"__metadata__\" must be an object of strings, found an array");
    assertFormatError(fileBytes("{\"__metadata__\":{\"a\":\"b\",\"n\":1}}", new byte[0]),
        "\"__metadata__\" entry \"n\" must be a string, found an integer");
  }

  @Test
  void rejectsUnknownDtypesNegativeDimsAndOverflowingSizes() throws IOException {
    assertFormatError(entry("{\"dtype\":\"F128\",\"shape\":[2],\"data_offsets\":[0,8]}",
        new byte[8]), "tensor \"t\" has unknown dtype \"F128\"");
    assertFormatError(entry("{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}",
        new byte[8]), "unknown dtype \"f32\"");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,8]}",
        new byte[8]), "tensor \"t\" has negative dimension -1 in shape [2, -1]");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
        + "\"data_offsets\":[0,8]}", new byte[8]),
        "tensor \"t\" with shape [4611686018427387904, 4] and dtype F32 has a size that "
            + "overflows 64 bits");
    assertFormatError(entry("{\"dtype\":\"F64\",\"shape\":[2305843009213693952],"
        + "\"data_offsets\":[0,8]}", new byte[8]), "overflows 64 bits");
  }

  @Test
  void rejectsOffsetsThatDoNotTileTheBuffer() throws IOException {
    assertFormatError(entry(OK_ENTRY, new byte[4]), "tensor \"t\" data_offsets [0, 8] run past "
        + "the end of the data buffer, which has 4 bytes (truncated?)");
    assertFormatError(entry(OK_ENTRY, new byte[12]),
        "data buffer has 12 bytes but the tensors cover only 8 (4 trailing bytes)");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}",
        new byte[12]), "tensor \"t\" (F32, shape [2]) needs 8 bytes but data_offsets [0, 12] "
        + "span 12");
    assertFormatError(entry("{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,4]}",
        new byte[4]), "tensor \"t\" (I64, shape []) needs 8 bytes but data_offsets [0, 4] span 4");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}",
        new byte[8]), "tensor \"t\" has invalid data_offsets [8, 0]");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}",
        new byte[8]), "invalid data_offsets [-8, 0]");
    assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}",
        new byte[12]), "hole: bytes [0, 4) before tensor \"t\"");
    assertFormatError(fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
        "tensor \"b\" data_offsets [4, 12] overlap tensor \"a\" [0, 8]");
    assertFormatError(fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}", new byte[24]),
        "hole: bytes [8, 16) before tensor \"b\"");
    // Out-of-order offsets that still tile the buffer are fine.
    SafeTensorsHeader h = read(fileBytes(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]));
    assertEquals(4, h.tensorsByName().get("a").begin());
    assertEquals(0, h.tensorsByName().get("b").begin());
  }

  @Test
  void rejectsDuplicateTensorNames() throws IOException {
    assertFormatError(fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
        "header is not valid JSON: duplicate key \"a\" at byte 54 of the header");
  }

  @Test
  void hugeClaimedTensorFailsFastWithoutAllocating() {
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[1000000000000],"
          + "\"data_offsets\":[0,4000000000000]}", new byte[16]),
          "data_offsets [0, 4000000000000] run past the end of the data buffer, which has 16 bytes");
      assertFormatError(entry("{\"dtype\":\"U8\",\"shape\":[9223372036854775807],"
          + "\"data_offsets\":[0,9223372036854775807]}", new byte[16]), "run past the end");
      assertFormatError(withLength(99_999_999, "{}".getBytes(StandardCharsets.US_ASCII)),
          "runs past the end of the file");
    });
  }

  // ---------------------------------------------------------------------------------------------
  // PyTorch's batch-norm step counter

  @Test
  void batchCountersFollowRunningStatisticsByName() {
    assertEquals(List.of("bn.num_batches_tracked", "norm2.num_batches_tracked"),
        List.copyOf(BatchCounters.expectedFor(List.of("d.weight", "bn.weight", "bn.bias",
            "bn.running_mean", "bn.running_var", "norm2.running_var", "out.weight"))));
    assertEquals(List.of(), List.copyOf(BatchCounters.expectedFor(List.of("ln.weight",
        "ln.bias", "running_mean", "x.running_meanx"))));
    // A name the network already uses is not a counter.
    assertEquals(List.of(), List.copyOf(BatchCounters.expectedFor(List.of("bn.running_mean",
        "bn.num_batches_tracked"))));
  }

  @Test
  void aBatchCounterIsAnIntegerScalar() {
    for (DType d : DType.values()) {
      TensorInfo scalar = new TensorInfo("bn.num_batches_tracked", d, new long[0], 0,
          d.byteSize());
      if (d.isInteger()) {
        assertEquals(null, BatchCounters.problem(scalar), d.name());
      } else {
        assertEquals("tensor \"bn.num_batches_tracked\" has dtype " + d + " and shape [], "
            + "expected an integer scalar (PyTorch writes I64, shape [])",
            BatchCounters.problem(scalar));
      }
    }
    assertEquals("tensor \"c\" has dtype I64 and shape [1], expected an integer scalar "
            + "(PyTorch writes I64, shape [])",
        BatchCounters.problem(new TensorInfo("c", DType.I64, new long[] {1}, 0, 8)));
  }

  // ---------------------------------------------------------------------------------------------
  // Fuzzing

  @Test
  void corruptedFilesEitherReadOrFailTheSameWayThroughBothEntryPoints() throws IOException {
    byte[] original = fileBytes("{\"__metadata__\":{\"format\":\"pt\",\"kiln\":\"1\"},"
        + "\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
        + "\"a.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]},"
        + "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[32,40]},"
        + "\"z\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[40,40]}}", new byte[40]);
    read(original); // valid before mutation
    long headerEnd = 8 + ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    Random random = new Random(20240601L);
    int succeeded = 0;
    int rejected = 0;
    // The suite runs a short seeded corpus; -Dkiln.fuzz.iterations=N runs a longer campaign.
    int iterations = Integer.getInteger("kiln.fuzz.iterations", 2000);
    for (int variant = 0; variant < iterations; variant++) {
      byte[] bytes = original.clone();
      int kind = random.nextInt(5);
      // Mostly hit the length prefix and header, where corruption changes the structure.
      int position = random.nextInt(10) < 9 ? random.nextInt((int) headerEnd)
          : random.nextInt(bytes.length);
      String description;
      switch (kind) {
        case 0 -> {
          bytes[position] ^= (byte) (1 << random.nextInt(8));
          description = "bit flip at " + position;
        }
        case 1 -> {
          bytes[position] = (byte) random.nextInt(256);
          description = "random byte at " + position;
        }
        case 2 -> {
          bytes = Arrays.copyOf(bytes, position);
          description = "truncation to " + position;
        }
        case 3 -> {
          byte[] tokens = "{}[]\",:-0123456789eE.\\ u".getBytes(StandardCharsets.US_ASCII);
          for (int i = 0; i < 3; i++) {
            bytes[random.nextInt((int) headerEnd)] = tokens[random.nextInt(tokens.length)];
          }
          description = "three JSON tokens in the header";
        }
        default -> {
          int count = 1 + random.nextInt(8);
          for (int i = 0; i < count; i++) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
          }
          description = count + " random bytes";
        }
      }
      Path mutant = Files.write(dir.resolve("mutant.safetensors"), bytes);
      String fromChannel;
      String fromStream;
      try {
        fromChannel = outcome(mutant, true);
        fromStream = outcome(mutant, false);
      } catch (Throwable t) {
        fail("variant " + variant + " (" + description + ") threw " + t, t);
        return;
      }
      assertEquals(fromChannel, fromStream, "variant " + variant + " (" + description + ")");
      if (fromChannel.startsWith("rejected: ")) {
        assertTrue(fromChannel.startsWith("rejected: " + mutant + ": "), fromChannel);
        rejected++;
      } else {
        succeeded++;
      }
    }
    assertEquals(iterations, succeeded + rejected);
    assertTrue(rejected > 1000, "rejected only " + rejected);
    assertTrue(succeeded > 0, "no variant read successfully");
  }

  /** What reading gives: the tensors and metadata, or the message; any other exception escapes. */
  private static String outcome(Path file, boolean channel) throws IOException {
    try {
      SafeTensorsHeader h = channel ? readChannel(file) : readStream(file);
      return "read: " + h.tensors() + " " + h.metadata() + " " + h.dataStart();
    } catch (SafeTensorsFormatException e) {
      assertEquals(file + ": " + e.problem(), e.getMessage());
      assertEquals(file.toString(), e.file());
      return "rejected: " + e.getMessage();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** A file whose header is the given JSON, unpadded, followed by {@code data}. */
  static byte[] fileBytes(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return withLength(h.length, concat(h, data));
  }

  /** A file with one tensor {@code "t"} described by {@code entryJson}. */
  private static byte[] entry(String entryJson, byte[] data) {
    return fileBytes("{\"t\":" + entryJson + "}", data);
  }

  private static byte[] withLength(long headerLength, byte[] rest) {
    return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(headerLength).put(rest).array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static SafeTensorsHeader readChannel(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      return SafeTensorsHeader.read(channel, path.toString());
    }
  }

  private static SafeTensorsHeader readStream(Path path) throws IOException {
    try (ByteArrayInputStream in = new ByteArrayInputStream(Files.readAllBytes(path))) {
      return SafeTensorsHeader.read(in, path.toString());
    }
  }

  /** Reads {@code bytes} both ways; both must succeed with the same header. */
  private SafeTensorsHeader read(byte[] bytes) throws IOException {
    Path path = Files.write(dir.resolve("ok.safetensors"), bytes);
    SafeTensorsHeader fromChannel = readChannel(path);
    SafeTensorsHeader fromStream = readStream(path);
    assertEquals(fromChannel.tensors(), fromStream.tensors());
    assertEquals(fromChannel.metadata(), fromStream.metadata());
    assertEquals(fromChannel.dataStart(), fromStream.dataStart());
    assertEquals(fromChannel.dataLength(), fromStream.dataLength());
    return fromChannel;
  }

  /** Reads {@code bytes} both ways; both must fail with the same message naming the file. */
  private SafeTensorsFormatException formatError(byte[] bytes) throws IOException {
    Path path = Files.write(dir.resolve("bad.safetensors"), bytes);
    SafeTensorsFormatException fromChannel =
        assertThrows(SafeTensorsFormatException.class, () -> readChannel(path));
    SafeTensorsFormatException fromStream =
        assertThrows(SafeTensorsFormatException.class, () -> readStream(path));
    assertEquals(fromChannel.getMessage(), fromStream.getMessage());
    assertEquals(path + ": " + fromChannel.problem(), fromChannel.getMessage());
    return fromChannel;
  }

  private void assertFormatError(byte[] bytes, String... fragments) throws IOException {
    String message = formatError(bytes).getMessage();
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), "expected \"" + fragment + "\" in: " + message);
    }
  }
}
