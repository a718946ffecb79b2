package dev.kiln.processor.layers;

import dev.kiln.processor.model.StepRule;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.GaussianNoise;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.FloatRule;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/** {@code @GaussianNoise}: additive N(0, stddev²) noise in training, identity at inference. */
public record GaussianNoiseLayer(String name, Site site, List<String> inputs, double stddev) implements LayerSpec {
  @Override
  public StepRule stepRule() {
    return StepRule.PER_POSITION; // a step runs at inference: the identity
  }

  public GaussianNoiseLayer {
    inputs = List.copyOf(inputs);
  }

  static GaussianNoiseLayer read(LayerDeclaration d) {
    return new GaussianNoiseLayer(d.name(), d.site(), d.inputs(), d.annotation(GaussianNoise.class).stddev());
  }

  @Override
  public String typeName() {
    return "GaussianNoise";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    FloatRule.NON_NEGATIVE.check(diagnostics, site, "stddev", "@GaussianNoise stddev", stddev, Message.NOISE_STDDEV,
        stddev);
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    return in.get(0);
  }

  @Override
  public LayerEmitter emitter() {
    return new TrainingNoiseEmitter() {
      @Override
      String storageRole() {
        return "Noisy";
      }

      @Override
      CodeBlock trainingForward(LayerContext layer, String storage) {
        return CodeBlock.of("$T.gaussian(n * $L, $Lf, noise, $L, 0, $L, 0);\n", RuntimeNames.NOISE, layer.width(),
            (float) stddev, layer.in(0), storage);
      }

      @Override
      CodeBlock backward(LayerContext layer, String target) {
        return CodeBlock.of("$T.arraycopy($L, 0, $L, 0, n * $L);\n", System.class, layer.grad(), target,
            layer.width());
      }
    };
  }

  /** Inference passes values through (or moves them): the input's zeros stay. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return inputsHaveZeros.get(0);
  }
}
