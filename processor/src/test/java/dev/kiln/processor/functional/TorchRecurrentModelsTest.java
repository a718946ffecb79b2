package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.Model;
import dev.kiln.runtime.io.SafeTensors;
import dev.kiln.runtime.io.SafeTensorsFile;
import dev.kiln.safetensors.TensorInfo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models trained in PyTorch as a user writes them (nn.LSTM or nn.GRU with PyTorch's own two
 * trainable biases, then nn.Linear; make_fixtures.py's {@code make_trained_recurrent}) load into the
 * Kiln declarations of {@link RecurrentFixtureNetworks} and predict PyTorch's outputs within 1e-5;
 * Kiln's saved file has exactly the state_dict's names, order-free, and shapes, and the values
 * PyTorch would compute with (for the LSTM's one bias: bias_ih_l0 + bias_hh_l0 as PyTorch's sum).
 */
class TorchRecurrentModelsTest {
  @TempDir Path dir;

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of("lstm", (LongFunction<Model>) seed -> new RecurrentFixtureNetworks_NetLstmLastModel(seed, 16)),
        Arguments.of("gru", (LongFunction<Model>) seed -> new RecurrentFixtureNetworks_NetGruLastModel(seed, 16)));
  }

  private static Path resource(String name) throws Exception {
    return Path.of(TorchRecurrentModelsTest.class.getResource("/fixtures/" + name + ".safetensors").toURI());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aTrainedPyTorchModelPredictsTheSameInKiln(String kind, LongFunction<Model> factory) throws Exception {
    Model model = factory.apply(3);
    model.load(resource("torch_" + kind));
    Fixture check = Fixture.load("torch_" + kind + "_check");
    Fixture.assertClose(check.file.floats("expected.output"), Fixture.flatten(model.predict(check.matrix("input.x"))),
        1e-5, kind + " outputs");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void kilnSavesPyTorchsStateDictNamesAndShapes(String kind, LongFunction<Model> factory) throws Exception {
    Model model = factory.apply(3);
    SafeTensorsFile torch = SafeTensors.read(resource("torch_" + kind));
    model.load(resource("torch_" + kind));
    Path saved = dir.resolve(kind + ".safetensors");
    model.save(saved);
    SafeTensorsFile kiln = SafeTensors.read(saved);
    assertEquals(shapes(torch), shapes(kiln));
    for (TensorInfo t : torch.tensors()) {
      String name = t.name();
      if (kind.equals("lstm") && name.startsWith("lstm.bias_")) {
        continue; // compared as their sum below
      }
      assertArrayEquals(torch.floats(name), kiln.floats(name), name);
    }
    if (kind.equals("lstm")) {
      float[] torchSum = sum(torch.floats("lstm.bias_ih_l0"), torch.floats("lstm.bias_hh_l0"));
      assertArrayEquals(torchSum, kiln.floats("lstm.bias_ih_l0"), "Kiln's one bias, saved as bias_ih_l0");
      assertArrayEquals(new float[torchSum.length], kiln.floats("lstm.bias_hh_l0"), "bias_hh_l0 saved as zeros");
    }
  }

  private static Map<String, List<Long>> shapes(SafeTensorsFile file) {
    Map<String, List<Long>> shapes = new LinkedHashMap<>();
    file.tensors().stream().sorted((a, b) -> a.name().compareTo(b.name()))
        .forEach(t -> shapes.put(t.name(), java.util.Arrays.stream(t.shape()).boxed().toList()));
    return shapes;
  }

  private static float[] sum(float[] a, float[] b) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }
}
