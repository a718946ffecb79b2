package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.runtime.Model;
import java.nio.file.Path;
import java.util.function.LongFunction;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ModelCore.backwardToInput} against PyTorch for every sequential fixture network
 * (PyTorchReferenceTest's): the training-mode loss within 1e-5 and d loss / d x within 1e-4 of
 * {@code expected.input_grad}, which make_fixtures.py takes from the same pass as
 * {@code expected.grad.*} (batch statistics, the same dropout masks). backwardToInput computes no
 * parameter gradient, so the gradients array stays as it was.
 */
class InputGradientPyTorchTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.processor.functional.PyTorchReferenceTest#networks")
  void inputGradientMatchesPyTorch(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    float[][] x = fixture.matrix("input.x");
    float[][] y = fixture.matrix("input.y");
    float[][] gradient = new float[x.length][x[0].length];
    fixture.seedNoise(model);
    double loss = model.core().backwardToInput(x, y, gradient);
    Fixture.assertClose(new float[] {fixture.scalar("expected.loss")}, new float[] {(float) loss},
        PyTorchReferenceTest.OUTPUT_TOLERANCE, name + " training loss of backwardToInput");
    Fixture.assertClose(fixture.file.floats("expected.input_grad"), Fixture.flatten(gradient),
        PyTorchReferenceTest.GRADIENT_TOLERANCE, name + " expected.input_grad");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.kiln.processor.functional.PyTorchReferenceTest#networks")
  void backwardToInputLeavesParameterGradientsAlone(String name, LongFunction<Model> factory) throws Exception {
    Fixture fixture = Fixture.load(name);
    Model model = fixture.modelAtInitialWeights(factory, dir);
    float[][] x = fixture.matrix("input.x");
    float[][] y = fixture.matrix("input.y");
    float[] zeros = new float[model.core().info().parameterCount()];
    assertArrayEquals(zeros, model.core().gradients(), name + ": a fresh model's gradients");

    fixture.seedNoise(model);
    model.core().backwardToInput(x, y, new float[x.length][x[0].length]);
    assertArrayEquals(zeros, model.core().gradients(), name + ": gradients after backwardToInput on a fresh model");

    // After a real gradient pass, backwardToInput leaves those gradients exactly as they were.
    fixture.seedNoise(model);
    model.core().computeGradients(x, y);
    float[] before = model.core().gradients();
    fixture.seedNoise(model);
    model.core().backwardToInput(x, y, new float[x.length][x[0].length]);
    assertArrayEquals(before, model.core().gradients(), name + ": gradients after computeGradients + backwardToInput");
  }
}
