package dev.kiln.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.runtime.io.SafeTensors.LongTensor;
import dev.kiln.runtime.io.SafeTensors.Tensor;
import dev.kiln.safetensors.DType;
import dev.kiln.safetensors.SafeTensorsFormatException;
import dev.kiln.safetensors.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  // ---------------------------------------------------------------------------------------------
  // Round trips

  @Test
  void roundTripsTensorsAndMetadataInOrder() throws IOException {
    Path path = dir.resolve("model.safetensors");
    float[] w = {1f, -2.5f, 3.25f, Float.MIN_VALUE, -0f, Float.MAX_VALUE};
    float[] b = {0.125f, Float.NaN};
    float[] big = new float[100_003]; // several write chunks
    for (int i = 0; i < big.length; i++) {
      big[i] = i * 0.5f - 7f;
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("note", "quotes \" backslash \\ newline \n tab \t control \u0001 unicode é 😀");
    SafeTensors.write(path, List.of(
        Tensor.of("layer.weight", w, 2, 3),
        Tensor.of("layer.bias", b, 2),
        Tensor.of("embedding", big, 100_003)), metadata);

    SafeTensorsFile file = SafeTensors.read(path);
    assertEquals(path, file.path());
    assertEquals(metadata, file.metadata());
    assertEquals(List.copyOf(metadata.keySet()), List.copyOf(file.metadata().keySet()));
    assertEquals(List.of(
            new TensorInfo("layer.weight", DType.F32, new long[] {2, 3}, 0, 24),
            new TensorInfo("layer.bias", DType.F32, new long[] {2}, 24, 32),
            new TensorInfo("embedding", DType.F32, new long[] {100_003}, 32, 32 + 400_012)),
        file.tensors());
    assertArrayEquals(w, file.floats("layer.weight", 2, 3));
    assertArrayEquals(b, file.floats("layer.bias"));
    assertArrayEquals(big, file.floats("embedding", 100_003));
    assertTrue(file.contains("embedding"));
    assertFalse(file.contains("missing"));

    float[] flat = new float[10];
    file.floatsInto("layer.weight", flat, 3, 2, 3);
    assertArrayEquals(new float[] {0, 0, 0, 1f, -2.5f, 3.25f, Float.MIN_VALUE, -0f, Float.MAX_VALUE,
        0}, flat);
    ByteBuffer raw = file.bytes("layer.bias");
    assertTrue(raw.isReadOnly());
    assertEquals(0.125f, raw.getFloat(0));
  }

  @Test
  void readsFromBytesExactlyAsFromTheFile() throws IOException {
    Path path = dir.resolve("model.safetensors");
    float[] w = {1f, -2.5f, 3.25f, 4f, 0.5f, -0f};
    SafeTensors.write(path, List.of(Tensor.of("layer.weight", w, 2, 3), LongTensor.scalar("n", 7)),
        Map.of("format", "pt"));
    byte[] bytes = Files.readAllBytes(path);

    SafeTensorsFile file = SafeTensors.read(bytes, "weights.safetensors");
    assertEquals(null, file.path());
    assertEquals("weights.safetensors", file.source());
    assertEquals(SafeTensors.read(path).tensors(), file.tensors());
    assertEquals(Map.of("format", "pt"), file.metadata());
    assertArrayEquals(w, file.floats("layer.weight", 2, 3));
    assertArrayEquals(new long[] {7}, file.longs("n"));
    KilnFormatException shape = assertThrows(KilnFormatException.class, () -> file.floats("layer.weight", 3, 2));
    assertEquals("weights.safetensors: tensor \"layer.weight\" has shape [2, 3], expected [3, 2]",
        shape.getMessage());

    // The same checks as for a file: one byte short is truncated, and says so with the given name.
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 1);
    KilnFormatException e = assertThrows(KilnFormatException.class,
        () -> SafeTensors.read(truncated, "weights.safetensors"));
    Files.write(path, truncated);
    KilnFormatException fromFile = assertThrows(KilnFormatException.class, () -> SafeTensors.read(path));
    assertEquals(fromFile.getMessage().replace(path.toString(), "weights.safetensors"), e.getMessage());
    assertTrue(e.getMessage().startsWith("weights.safetensors: "), e.getMessage());
  }

  @Test
  void emptyMetadataIsOmittedAndReadsBackEmpty() throws IOException {
    Path path = dir.resolve("plain.safetensors");
    SafeTensors.write(path, List.of(Tensor.of("x", new float[] {1, 2}, 2)), Map.of());
    SafeTensorsFile file = SafeTensors.read(path);
    assertEquals(Map.of(), file.metadata());
    assertFalse(headerOf(path).contains("__metadata__"));

    SafeTensors.write(path, List.of(Tensor.of("x", new float[] {1, 2}, 2)), null);
    assertEquals(Map.of(), SafeTensors.read(path).metadata());
  }

  @Test
  void scalarsZeroSizeTensorsAndEmptyFiles() throws IOException {
    Path path = dir.resolve("shapes.safetensors");
    SafeTensors.write(path, List.of(
        Tensor.of("scalar", new float[] {42f}),
        Tensor.of("empty", new float[0], 0, 3),
        Tensor.of("empty2", new float[0], 2, 0),
        Tensor.of("after", new float[] {7f}, 1)), Map.of("k", ""));
    SafeTensorsFile file = SafeTensors.read(path);
    assertArrayEquals(new float[] {42f}, file.floats("scalar"));
    assertArrayEquals(new float[] {42f}, file.floats("scalar", new long[0]));
    assertEquals(1, file.info("scalar").elementCount());
    assertArrayEquals(new long[0], file.info("scalar").shape());
    assertArrayEquals(new float[0], file.floats("empty", 0, 3));
    assertArrayEquals(new long[] {2, 0}, file.info("empty2").shape());
    assertEquals(0, file.info("empty2").byteLength());
    assertArrayEquals(new float[] {7f}, file.floats("after"));
    assertEquals(Map.of("k", ""), file.metadata());

    SafeTensors.write(path, List.of(), Map.of());
    SafeTensorsFile none = SafeTensors.read(path);
    assertEquals(List.of(), none.tensors());
    assertEquals(16, Files.size(path)); // "{}" padded to 8
  }

  @Test
  void headerIsPaddedWithSpacesToAMultipleOfEight() throws IOException {
    for (int nameLength = 1; nameLength <= 9; nameLength++) {
      Path path = dir.resolve("pad" + nameLength + ".safetensors");
      SafeTensors.write(path, List.of(Tensor.of("n".repeat(nameLength), new float[] {1}, 1)),
          Map.of());
      byte[] bytes = Files.readAllBytes(path);
      long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
      assertEquals(0, n % 8);
      assertEquals(8 + n + 4, bytes.length);
      String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
      assertEquals('{', header.charAt(0));
      assertTrue(header.stripTrailing().endsWith("}"));
      assertTrue(header.substring(header.lastIndexOf('}') + 1).chars().allMatch(c -> c == ' '));
      assertEquals("{\"" + "n".repeat(nameLength)
          + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", header.stripTrailing());
    }
  }

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
    // Header length, unsigned 64-bit little-endian.
    out.write(n & 0xFF);
    out.write((n >>> 8) & 0xFF);
    out.write((n >>> 16) & 0xFF);
    out.write((n >>> 24) & 0xFF);
    out.write(new byte[4]);
    out.write(headerBytes);
    for (int i = 0; i < padding; i++) {
      out.write(' ');
    }
    out.write(new byte[] {0x00, 0x00, (byte) 0x80, 0x3F}); // 1.0f = 0x3F800000
    out.write(new byte[] {0x00, 0x00, 0x20, (byte) 0xC0}); // -2.5f = 0xC0200000
    out.write(new byte[] {1, (byte) 0xFF, 127}); // I8 1, -1, 127
    out.write(new byte[] {(byte) 0xDB, 0x0F, 0x49, 0x40}); // pi = 0x40490FDB
    Path path = dir.resolve("hand.safetensors");
    Files.write(path, out.toByteArray());

    SafeTensorsFile file = SafeTensors.read(path);
    assertEquals(List.of("b", "a", "é😀"), file.tensors().stream().map(TensorInfo::name).toList());
    assertEquals(Map.of("format", "pt"), file.metadata());
    assertArrayEquals(new float[] {1f, -2.5f}, file.floats("b", 2));
    assertArrayEquals(new float[] {(float) Math.PI}, file.floats("é😀"));
    TensorInfo a = file.info("a");
    assertEquals(DType.I8, a.dtype());
    assertArrayEquals(new long[] {1, 3}, a.shape());
    assertEquals(8, a.begin());
    assertEquals(11, a.end());
    ByteBuffer raw = file.bytes("a");
    assertEquals(3, raw.remaining());
    assertEquals(1, raw.get(0));
    assertEquals(-1, raw.get(1));
    assertEquals(127, raw.get(2));
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> file.floats("a"));
    assertEquals(path + ": tensor \"a\" has dtype I8, expected F32", e.getMessage());
  }

  @Test
  void readsEveryDtypeAsRawBytes() throws IOException {
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (DType d : DType.values()) {
      header.append(header.length() > 1 ? "," : "").append('"').append(d).append("\":{\"dtype\":\"")
          .append(d).append("\",\"shape\":[2],\"data_offsets\":[").append(offset).append(',')
          .append(offset + 2L * d.byteSize()).append("]}");
      offset += 2L * d.byteSize();
    }
    header.append('}');
    SafeTensorsFile file = readBytes(fileBytes(header.toString(), new byte[(int) offset]));
    for (DType d : DType.values()) {
      assertEquals(d, file.info(d.name()).dtype());
      assertEquals(2 * d.byteSize(), file.bytes(d.name()).remaining());
    }
  }

  @Test
  void writesI64TensorsNextToF32OnesAndReadsIntegersBack() throws IOException {
    Path path = dir.resolve("mixed.safetensors");
    SafeTensors.write(path, List.of(
        Tensor.of("bn.running_mean", new float[] {0.5f, -1f}, 2),
        LongTensor.scalar("bn.num_batches_tracked", 0),
        new LongTensor("steps", new long[] {3}, new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}),
        Tensor.of("out.bias", new float[] {2f}, 1)), Map.of());
    assertEquals("{\"bn.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},"
        + "\"steps\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[16,40]},"
        + "\"out.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[40,44]}}",
        headerOf(path).stripTrailing());
    SafeTensorsFile file = SafeTensors.read(path);
    assertArrayEquals(new long[] {0}, file.longs("bn.num_batches_tracked"));
    assertArrayEquals(new long[0], file.info("bn.num_batches_tracked").shape());
    assertArrayEquals(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, file.longs("steps"));
    assertArrayEquals(new float[] {0.5f, -1f}, file.floats("bn.running_mean", 2));
    assertArrayEquals(new float[] {2f}, file.floats("out.bias", 1));
    KilnFormatException notInteger = assertThrows(KilnFormatException.class,
        () -> file.longs("out.bias"));
    assertEquals(path + ": tensor \"out.bias\" has dtype F32, expected an integer dtype",
        notInteger.getMessage());
    KilnFormatException notFloat = assertThrows(KilnFormatException.class,
        () -> file.floats("steps"));
    assertEquals(path + ": tensor \"steps\" has dtype I64, expected F32", notFloat.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new LongTensor("w", new long[] {2}, new long[3]));
  }

  @Test
  void readsEveryIntegerDtypeAsLongs() throws IOException {
    // -1 in every width: all bits set, which the unsigned types read as their maximum.
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (DType d : DType.values()) {
      if (d.isInteger()) {
        header.append(header.length() > 1 ? "," : "").append('"').append(d)
            .append("\":{\"dtype\":\"").append(d).append("\",\"shape\":[],\"data_offsets\":[")
            .append(offset).append(',').append(offset + d.byteSize()).append("]}");
        offset += d.byteSize();
      }
    }
    byte[] data = new byte[(int) offset];
    Arrays.fill(data, (byte) 0xFF);
    SafeTensorsFile file = readBytes(fileBytes(header.append('}').toString(), data));
    assertArrayEquals(new long[] {255}, file.longs("U8"));
    assertArrayEquals(new long[] {-1}, file.longs("I8"));
    assertArrayEquals(new long[] {65535}, file.longs("U16"));
    assertArrayEquals(new long[] {-1}, file.longs("I16"));
    assertArrayEquals(new long[] {4294967295L}, file.longs("U32"));
    assertArrayEquals(new long[] {-1}, file.longs("I32"));
    assertArrayEquals(new long[] {-1}, file.longs("I64"));
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> file.longs("U64"));
    assertTrue(e.getMessage().endsWith(": tensor \"U64\" holds U64 value 18446744073709551615, "
        + "above the largest long"), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // Lookups that do not match the file

  @Test
  void mismatchedLookupsNameFileTensorAndExpectation() throws IOException {
    Path path = dir.resolve("weights.safetensors");
    SafeTensors.write(path, List.of(Tensor.of("hidden.weight", new float[6], 2, 3)), Map.of());
    SafeTensorsFile file = SafeTensors.read(path);
    KilnFormatException shape = assertThrows(KilnFormatException.class,
        () -> file.floats("hidden.weight", 2, 2));
    assertEquals(path + ": tensor \"hidden.weight\" has shape [2, 3], expected [2, 2]",
        shape.getMessage());
    assertTrue(shape.getMessage().endsWith(
        "weights.safetensors: tensor \"hidden.weight\" has shape [2, 3], expected [2, 2]"));
    KilnFormatException missing = assertThrows(KilnFormatException.class,
        () -> file.floats("output.weight"));
    assertEquals(path + ": no tensor named \"output.weight\" (the file has tensors "
        + "[hidden.weight])", missing.getMessage());
    assertThrows(KilnFormatException.class,
        () -> file.floatsInto("hidden.weight", new float[6], 0, 6));
    assertThrows(IndexOutOfBoundsException.class,
        () -> file.floatsInto("hidden.weight", new float[6], 1, 2, 3));
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed files: always KilnFormatException naming the file and the problem

  /**
   * The header checks themselves are tested in kiln-safetensors (SafeTensorsHeaderTest); here, that
   * their failures arrive as KilnFormatException with the shared reader's message.
   */
  @Test
  void headerErrorsAreKilnFormatExceptionsWithTheSharedReadersMessage() throws IOException {
    Path path = dir.resolve("dup.safetensors");
    Files.write(path, fileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> SafeTensors.read(path));
    assertEquals(path + ": header is not valid JSON: duplicate key \"a\" at byte 54 of the header",
        e.getMessage());
    assertTrue(e.getCause() instanceof SafeTensorsFormatException, String.valueOf(e.getCause()));

    Path text = Files.writeString(dir.resolve("notes.txt"), "these are not weights\n");
    KilnFormatException junk = assertThrows(KilnFormatException.class, () -> SafeTensors.read(text));
    assertEquals(text + ": not a safetensors file (it starts with the text \"these ar\", not an "
        + "8-byte header length followed by a '{' JSON header)", junk.getMessage());
  }

  @Test
  void rejectsTruncatedFiles() throws IOException {
    Path path = dir.resolve("full.safetensors");
    SafeTensors.write(path, List.of(Tensor.of("w", new float[] {1, 2, 3, 4}, 4)), Map.of());
    byte[] full = Files.readAllBytes(path);
    for (int length : new int[] {full.length - 1, full.length - 16, 20, 8, 3}) {
      Path cut = dir.resolve("cut" + length + ".safetensors");
      Files.write(cut, Arrays.copyOf(full, length));
      KilnFormatException e = assertThrows(KilnFormatException.class, () -> SafeTensors.read(cut));
      assertTrue(e.getMessage().startsWith(cut + ": "), e.getMessage());
      assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("too short"),
          e.getMessage());
    }
  }

  @Test
  void hugeClaimedTensorFailsFastWithoutAllocating() {
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      // 16 bytes of data, but the header claims 4 TB of floats.
      assertFormatError(entry("{\"dtype\":\"F32\",\"shape\":[1000000000000],"
          + "\"data_offsets\":[0,4000000000000]}", new byte[16]),
          "data_offsets [0, 4000000000000] run past the end of the data buffer, which has 16 bytes");
      // A claimed size consistent with offsets but larger than the file.
      assertFormatError(entry("{\"dtype\":\"U8\",\"shape\":[9223372036854775807],"
          + "\"data_offsets\":[0,9223372036854775807]}", new byte[16]), "run past the end");
      // Header length claiming more than the file holds.
      assertFormatError(withLength(99_999_999, "{}".getBytes(StandardCharsets.US_ASCII)),
          "runs past the end of the file");
    });
  }

  @Test
  void nonexistentFilesAreOrdinaryIoErrors() {
    IOException e = assertThrows(IOException.class,
        () -> SafeTensors.read(dir.resolve("absent.safetensors")));
    assertFalse(e instanceof KilnFormatException);
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  @Test
  void tensorsValidateTheirShape() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Tensor.of("w", new float[5], 2, 3));
    assertEquals("tensor \"w\" has shape [2, 3] (6 elements) but 5 data values", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Tensor.of("w", new float[0], -1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> Tensor.of("w", new float[0], Long.MAX_VALUE, 4, 0));
    assertThrows(NullPointerException.class, () -> Tensor.of(null, new float[1]));
    long[] shape = {1, 2};
    Tensor t = new Tensor("w", shape, new float[2]);
    shape[0] = 9;
    assertArrayEquals(new long[] {1, 2}, t.shape());
  }

  @Test
  void writingOverAnExistingFileReplacesIt() throws IOException {
    Path path = dir.resolve("w.safetensors");
    SafeTensors.write(path, List.of(Tensor.of("old", new float[] {1, 2, 3}, 3)), Map.of("v", "1"));
    SafeTensors.write(path, List.of(Tensor.of("new", new float[] {4}, 1)), Map.of("v", "2"));
    SafeTensorsFile file = SafeTensors.read(path);
    assertEquals(Map.of("v", "2"), file.metadata());
    assertArrayEquals(new float[] {4}, file.floats("new"));
    assertFalse(file.contains("old"));
    assertEquals(List.of(path), listDir());
  }

  @Test
  void failedWritesLeaveTheOriginalIntactAndNoTemporaryFiles() throws IOException {
    Path path = dir.resolve("keep.safetensors");
    SafeTensors.write(path, List.of(Tensor.of("w", new float[] {1, 2}, 2)), Map.of());
    byte[] original = Files.readAllBytes(path);

    IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(path, List.of(Tensor.of("a", new float[1], 1),
            Tensor.of("a", new float[1], 1)), Map.of()));
    assertEquals("duplicate tensor name \"a\"", duplicate.getMessage());
    IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(path, List.of(Tensor.of("__metadata__", new float[1], 1)),
            Map.of()));
    assertTrue(reserved.getMessage().contains("reserved"));
    IllegalArgumentException surrogate = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.write(path, List.of(), Map.of("k", "bad \uD800 value")));
    assertTrue(surrogate.getMessage().contains("unpaired surrogate"), surrogate.getMessage());
    Map<String, String> nullValue = new LinkedHashMap<>();
    nullValue.put("k", null);
    assertThrows(NullPointerException.class, () -> SafeTensors.write(path, List.of(), nullValue));
    List<Tensor> withNull = new ArrayList<>();
    withNull.add(null);
    assertThrows(NullPointerException.class, () -> SafeTensors.write(path, withNull, Map.of()));

    assertArrayEquals(original, Files.readAllBytes(path));
    assertEquals(List.of(path), listDir());
  }

  @Test
  void failedRenameDeletesTheTemporaryFile() throws IOException {
    Path path = dir.resolve("keep.safetensors");
    SafeTensors.write(path, List.of(Tensor.of("w", new float[] {1, 2}, 2)), Map.of());
    byte[] original = Files.readAllBytes(path);
    Path directory = Files.createDirectory(dir.resolve("target.safetensors"));
    Path inside = Files.write(directory.resolve("inside.txt"), new byte[] {1});

    assertThrows(IOException.class, () -> SafeTensors.write(directory,
        List.of(Tensor.of("w", new float[1000], 1000)), Map.of()));

    assertTrue(Files.isDirectory(directory));
    assertTrue(Files.exists(inside));
    assertArrayEquals(original, Files.readAllBytes(path));
    assertEquals(List.of(path, directory).stream().sorted().toList(), listDir());
  }

  @Test
  void writingIntoAMissingDirectoryFailsCleanly() {
    Path path = dir.resolve("no/such/dir/w.safetensors");
    assertThrows(IOException.class,
        () -> SafeTensors.write(path, List.of(Tensor.of("w", new float[1], 1)), Map.of()));
    assertFalse(Files.exists(dir.resolve("no")));
  }

  // ---------------------------------------------------------------------------------------------
  // Fuzzing

  @Test
  void corruptedFilesEitherReadOrFailWithKilnFormatException() throws IOException {
    Path valid = dir.resolve("valid.safetensors");
    SafeTensors.write(valid, List.of(
        Tensor.of("a.weight", new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
        Tensor.of("a.bias", new float[] {0.5f, -0.5f}, 2),
        Tensor.of("s", new float[] {9}),
        Tensor.of("z", new float[0], 0, 4)), Map.of("format", "pt", "kiln", "1"));
    byte[] original = Files.readAllBytes(valid);
    long headerEnd = 8 + ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    Random random = new Random(20240601L);
    Path mutant = dir.resolve("mutant.safetensors");
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
      Files.write(mutant, bytes);
      try {
        SafeTensorsFile file = SafeTensors.read(mutant);
        for (TensorInfo info : file.tensors()) {
          try {
            file.floats(info.name());
          } catch (KilnFormatException e) {
            // a dtype changed to something other than F32
          }
        }
        succeeded++;
      } catch (KilnFormatException e) {
        assertTrue(e.getMessage().startsWith(mutant + ": "), e.getMessage());
        rejected++;
      } catch (Throwable t) {
        fail("variant " + variant + " (" + description + ") threw " + t, t);
      }
    }
    assertEquals(iterations, succeeded + rejected);
    assertTrue(rejected > 1000, "rejected only " + rejected);
    assertTrue(succeeded > 0, "no variant read successfully");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** A file whose header is the given JSON, unpadded, followed by {@code data}. */
  private static byte[] fileBytes(String header, byte[] data) {
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

  private SafeTensorsFile readBytes(byte[] bytes) throws IOException {
    Path path = dir.resolve("bytes.safetensors");
    Files.write(path, bytes);
    return SafeTensors.read(path);
  }

  private void assertFormatError(byte[] bytes, String... fragments) throws IOException {
    Path path = dir.resolve("bad.safetensors");
    Files.write(path, bytes);
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> SafeTensors.read(path));
    String message = e.getMessage();
    assertTrue(message.startsWith(path + ": "), message);
    for (String fragment : fragments) {
      assertTrue(message.contains(fragment), "expected \"" + fragment + "\" in: " + message);
    }
  }

  private static String headerOf(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    return new String(bytes, 8, n, StandardCharsets.UTF_8);
  }

  private List<Path> listDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }
}
