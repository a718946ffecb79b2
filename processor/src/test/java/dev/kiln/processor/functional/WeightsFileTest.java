package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.io.KilnFormatException;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import dev.kiln.safetensors.DType;
import dev.kiln.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading weights as safetensors, and every way a file can fail to fit. */
class WeightsFileTest {
  @TempDir Path dir;

  @Test
  void savedFileUsesPyTorchNamesAndLayoutAndLoadsBack() throws IOException {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(3);
    Path file = dir.resolve("xor.safetensors");
    model.save(file);
    SafeTensorsFile saved = SafeTensors.read(file);
    assertEquals(List.of("hidden.weight", "hidden.bias", "output.weight", "output.bias"),
        saved.tensors().stream().map(TensorInfo::name).toList());
    assertArrayEquals(new long[] {2, 2}, saved.info("hidden.weight").shape());
    assertArrayEquals(new long[] {1, 2}, saved.info("output.weight").shape());
    assertEquals("pt", saved.metadata().get("format"));
    // PyTorch's [out, in] is the transpose of the kernel's [in][out].
    float[][] kernel = model.hidden().kernel();
    float[] weight = saved.floats("hidden.weight");
    assertEquals(kernel[1][0], weight[0 * 2 + 1]);
    assertEquals(kernel[0][1], weight[1 * 2 + 0]);

    FixtureNetworks_NetXorModel other = new FixtureNetworks_NetXorModel(99);
    other.load(file);
    assertArrayEquals(model.core().parameters(), other.core().parameters());
    assertNoTemporaryFilesLeft();
  }

  @Test
  void loadsFromBytesAndStreamsWithTheChecksOfAFile() throws IOException {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(3);
    Path file = dir.resolve("xor.safetensors");
    model.save(file);
    byte[] bytes = Files.readAllBytes(file);

    FixtureNetworks_NetXorModel fromBytes = new FixtureNetworks_NetXorModel(99);
    fromBytes.core().load(bytes, "xor.safetensors");
    assertArrayEquals(model.core().parameters(), fromBytes.core().parameters());
    FixtureNetworks_NetXorModel fromStream = new FixtureNetworks_NetXorModel(98);
    fromStream.core().load(new java.io.ByteArrayInputStream(bytes), "xor.safetensors");
    assertArrayEquals(model.core().parameters(), fromStream.core().parameters());

    // A file of another network fails naming the source, and changes nothing.
    FixtureNetworks_NetIrisModel iris = new FixtureNetworks_NetIrisModel(5);
    float[] before = iris.core().parameters();
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> iris.core().load(bytes, "xor.safetensors"));
    assertTrue(e.getMessage().startsWith("xor.safetensors: "), e.getMessage());
    assertArrayEquals(before, iris.core().parameters());
    assertNoTemporaryFilesLeft();
  }

  @Test
  void pyTorchStateDictLoadsAndPredictsAsPyTorch() throws Exception {
    Fixture fixture = Fixture.load("net_iris");
    FixtureNetworks_NetIrisModel model = new FixtureNetworks_NetIrisModel(5);
    fixture.loadInitialWeights(model, dir);
    Fixture.assertClose(fixture.file.floats("expected.output"),
        Fixture.flatten(model.predict(fixture.matrix("input.x"))), 1e-5, "outputs after loading");
  }

  @Test
  void missingTensorIsNamedAndNothingChanges() throws IOException {
    Path file = write(Map.of("hidden.weight", new long[] {2, 2}, "hidden.bias", new long[] {2},
        "output.weight", new long[] {1, 2}));
    assertLoadFails(file, "missing tensor output.bias");
  }

  @Test
  void wrongShapeIsNamedAndNothingChanges() throws IOException {
    Path file = write(Map.of("hidden.weight", new long[] {2, 3}, "hidden.bias", new long[] {2},
        "output.weight", new long[] {1, 2}, "output.bias", new long[] {1}));
    assertLoadFails(file, "\"hidden.weight\" has shape [2, 3], expected [2, 2]");
  }

  @Test
  void unexpectedTensorIsNamedAndNothingChanges() throws IOException {
    Path file = write(Map.of("hidden.weight", new long[] {2, 2}, "hidden.bias", new long[] {2},
        "output.weight", new long[] {1, 2}, "output.bias", new long[] {1}, "extra.weight", new long[] {3}));
    assertLoadFails(file, "unexpected tensor extra.weight");
  }

  @Test
  void wrongDtypeIsNamedAndNothingChanges() throws IOException {
    // hidden.bias stored as float64: same shape, wrong dtype.
    String header = "{\"hidden.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        + "\"hidden.bias\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[16,32]},"
        + "\"output.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[32,40]},"
        + "\"output.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[40,44]}}";
    Path file = raw(header, 44);
    assertLoadFails(file, "hidden.bias");
    assertLoadFails(file, "F64");
  }

  @Test
  void truncatedFileFailsAndNothingChanges() throws IOException {
    FixtureNetworks_NetXorModel source = new FixtureNetworks_NetXorModel(3);
    Path file = dir.resolve("full.safetensors");
    source.save(file);
    byte[] bytes = Files.readAllBytes(file);
    Path truncated = dir.resolve("truncated.safetensors");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 5));
    assertLoadFails(truncated, "truncated.safetensors");
  }

  @Test
  void corruptHeaderFailsAndNothingChanges() throws IOException {
    Path file = raw("{\"hidden.weight\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 16]", 16);
    assertLoadFails(file, "corrupt.safetensors");
  }

  // ------------------------------------------------------------------ PyTorch's num_batches_tracked

  @Test
  void savedBatchNormLayerCarriesPyTorchsStepCounterAsAnI64ScalarZero() throws IOException {
    FixtureNetworks_NetBatchNormModel model = new FixtureNetworks_NetBatchNormModel(3);
    Path file = dir.resolve("bn.safetensors");
    model.save(file);
    SafeTensorsFile saved = SafeTensors.read(file);
    assertEquals(List.of("d.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
            "bn.num_batches_tracked", "out.weight", "out.bias"),
        saved.tensors().stream().map(TensorInfo::name).toList());
    TensorInfo counter = saved.info("bn.num_batches_tracked");
    assertEquals(DType.I64, counter.dtype());
    assertArrayEquals(new long[0], counter.shape());
    assertArrayEquals(new long[] {0}, saved.longs("bn.num_batches_tracked"));

    FixtureNetworks_NetBatchNormModel other = new FixtureNetworks_NetBatchNormModel(99);
    other.load(file);
    assertArrayEquals(model.core().parameters(), other.core().parameters());
  }

  @Test
  void pyTorchBatchNormStateDictWithItsStepCounterLoads() throws IOException {
    FixtureNetworks_NetBatchNormModel source = new FixtureNetworks_NetBatchNormModel(3);
    for (SafeTensors.Entry counter : List.of(SafeTensors.LongTensor.scalar("bn.num_batches_tracked", 1234),
        new SafeTensors.LongTensor("bn.num_batches_tracked", new long[0], new long[] {7}))) {
      Path file = stateDict(source, counter);
      FixtureNetworks_NetBatchNormModel model = new FixtureNetworks_NetBatchNormModel(99);
      model.load(file);
      assertArrayEquals(source.core().parameters(), model.core().parameters());
    }
    // Older Kiln files and hand-made state dicts without the counter still load.
    Path without = stateDict(source, null);
    FixtureNetworks_NetBatchNormModel model = new FixtureNetworks_NetBatchNormModel(99);
    model.load(without);
    assertArrayEquals(source.core().parameters(), model.core().parameters());
  }

  @Test
  void aStepCounterThatIsNotAnIntegerScalarOrHasNoStatisticsIsRejected() throws IOException {
    FixtureNetworks_NetBatchNormModel source = new FixtureNetworks_NetBatchNormModel(3);
    Path asFloat = stateDict(source, SafeTensors.Tensor.of("bn.num_batches_tracked", new float[] {5f}));
    assertBatchNormLoadFails(asFloat, asFloat + ": tensor \"bn.num_batches_tracked\" has dtype F32 and "
        + "shape [], expected an integer scalar (PyTorch writes I64, shape [])");
    Path asVector = stateDict(source,
        new SafeTensors.LongTensor("bn.num_batches_tracked", new long[] {2}, new long[] {1, 2}));
    assertBatchNormLoadFails(asVector, asVector + ": tensor \"bn.num_batches_tracked\" has dtype I64 "
        + "and shape [2], expected an integer scalar (PyTorch writes I64, shape [])");
    // Only layers with running statistics have a counter.
    Path onDense = stateDict(source, SafeTensors.LongTensor.scalar("d.num_batches_tracked", 0));
    assertBatchNormLoadFails(onDense, onDense + ": unexpected tensor d.num_batches_tracked not in "
        + "network NetBatchNorm");
  }

  /** {@code source}'s tensors as PyTorch would save them, plus {@code extra} when not null. */
  private Path stateDict(FixtureNetworks_NetBatchNormModel source, SafeTensors.Entry extra)
      throws IOException {
    List<SafeTensors.Entry> tensors = new java.util.ArrayList<>();
    for (dev.kiln.runtime.internal.LayerInfo layer : source.core().info().layers()) {
      for (dev.kiln.runtime.internal.TensorSlice slice : layer.tensors()) {
        long[] shape = java.util.Arrays.stream(slice.shape()).asLongStream().toArray();
        tensors.add(SafeTensors.Tensor.of(slice.name(), slice.read(source.core().parameters()), shape));
      }
    }
    if (extra != null) {
      tensors.add(extra);
    }
    Path file = dir.resolve("state_dict-" + tensors.size() + "-" + System.nanoTime() + ".safetensors");
    SafeTensors.write(file, tensors, Map.of("format", "pt"));
    return file;
  }

  private void assertBatchNormLoadFails(Path file, String message) {
    FixtureNetworks_NetBatchNormModel model = new FixtureNetworks_NetBatchNormModel(99);
    float[] before = model.core().parameters();
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> model.load(file));
    assertEquals(message, e.getMessage());
    assertArrayEquals(before, model.core().parameters(), "parameters must be untouched");
  }

  private void assertLoadFails(Path file, String messagePart) {
    FixtureNetworks_NetXorModel model = new FixtureNetworks_NetXorModel(3);
    float[] before = model.core().parameters();
    KilnFormatException e = assertThrows(KilnFormatException.class, () -> model.load(file));
    assertTrue(e.getMessage().contains(messagePart), "message: " + e.getMessage());
    assertArrayEquals(before, model.core().parameters(), "parameters must be untouched");
  }

  private Path write(Map<String, long[]> shapes) throws IOException {
    List<SafeTensors.Tensor> tensors = new java.util.ArrayList<>();
    shapes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      long count = 1;
      for (long d : e.getValue()) {
        count *= d;
      }
      tensors.add(SafeTensors.Tensor.of(e.getKey(), new float[(int) count], e.getValue()));
    });
    Path file = dir.resolve("weights.safetensors");
    SafeTensors.write(file, tensors, Map.of());
    return file;
  }

  private Path raw(String header, int dataBytes) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putLong(json.length).put(json);
    Path file = dir.resolve("corrupt.safetensors");
    Files.write(file, buffer.array());
    return file;
  }

  private void assertNoTemporaryFilesLeft() throws IOException {
    try (var files = Files.list(dir)) {
      assertEquals(List.of("xor.safetensors"), files.map(p -> p.getFileName().toString()).toList());
    }
  }
}
