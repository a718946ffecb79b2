package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Networks with thousands of layers: the generated class must still compile (no method or
 * initializer over the JVM's 64 KB of bytecode) and construct, and its passes must run.
 */
class LargeNetworkTest {
  @ParameterizedTest(name = "{0} layers")
  @ValueSource(ints = {1000, 3000})
  void thousandsOfLayersCompileConstructAndRun(int layers) throws Exception {
    StringBuilder source = new StringBuilder("package test; import dev.kiln.annotations.*; "
        + "import dev.kiln.runtime.Layer;\n"
        + "@Network(input = 2, maxBatch = 2, loss = Loss.MEAN_SQUARED_ERROR)\ninterface Deep {\n");
    for (int i = 0; i < layers; i++) {
      // Two kinds in turn: a layer with parameters, buffers and a penalty, and one without.
      source.append(i % 2 == 0 ? "  @Dense(units = 2, activation = ActivationFunction.TANH, kernelL2 = 0.01)\n"
          : "  @Activation(ActivationFunction.RELU)\n");
      source.append("  Layer l").append(i).append("();\n");
    }
    source.append("}\n");
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor())
        .compile(JavaFileObjects.forSourceString("test.Deep", source.toString()));
    com.google.testing.compile.CompilationSubject.assertThat(compilation).succeeded();
    Model model = (Model) new CompiledClasses(compilation).construct("test.DeepModel", 2);
    assertEquals(layers / 2 * 6, model.core().parameters().length);
    float[][] out = model.predict(new float[][] {{1, -1}, {0.5f, 2}});
    assertEquals(2, out.length);
    assertEquals(2, out[0].length);
    assertThat(Float.isFinite(out[0][0])).isTrue();
    // The loss with every layer's penalty, and a training step through the chunked passes.
    float[][] x = {{1, -1}};
    float[][] y = {{0, 1}};
    double loss = model.core().loss(x, y, false);
    assertThat(Double.isFinite(loss)).isTrue();
    // loss() sums the penalties in its chunks, backward() in its own: the same number.
    assertEquals(loss, model.core().computeGradients(x, y), 1e-9 * Math.abs(loss));
    assertThat(Double.isFinite(model.core().trainOnBatch(x, y))).isTrue();
  }

  @org.junit.jupiter.api.Test
  void layersNamedLikeTheChunkHelpersCompile() throws Exception {
    // Past one chunk, so the helpers exist; the layers take their names and constants first.
    String[] names = {"layerInfos", "layerInfos0", "inputInfos", "handles0", "forwardLayers0", "backwardLayers1",
        "allocate0", "initializeTensors0", "penalties", "penalties0", "penaltiesWithGradients", "infos", "sum",
        "INFO", "PARAMETER_COUNT", "INPUT_SIZE"};
    StringBuilder source = new StringBuilder("package test; import dev.kiln.annotations.*; "
        + "import dev.kiln.runtime.Layer;\n"
        + "@Network(input = 2, maxBatch = 2, loss = Loss.MEAN_SQUARED_ERROR)\ninterface Named {\n");
    for (int i = 0; i < 60; i++) {
      source.append("  @Dense(units = 2, kernelL1 = 0.001)\n  Layer ")
          .append(i < names.length ? names[i] : "l" + i).append("();\n");
    }
    source.append("}\n");
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor())
        .compile(JavaFileObjects.forSourceString("test.Named", source.toString()));
    com.google.testing.compile.CompilationSubject.assertThat(compilation).succeeded();
    Model model = (Model) new CompiledClasses(compilation).construct("test.NamedModel", 2);
    assertEquals(60 * 6, model.core().parameters().length);
    assertEquals(60, model.core().info().layers().size());
    assertEquals("layerInfos", model.core().info().layers().get(0).name());
  }
}
