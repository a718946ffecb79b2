package dev.kiln.processor.layers;

import dev.kiln.processor.model.StepRule;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.BatchNorm;
import dev.kiln.annotations.Initializer;
import dev.kiln.annotations.LayerNorm;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.FloatRule;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Parameter;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @BatchNorm} (statistics per feature of the last axis, over the batch and every other axis,
 * with moving averages for inference: Keras's BatchNormalization with axis -1) or {@code @LayerNorm}
 * (statistics over the last axis, per sample and position). x-hat and the inverse standard
 * deviations are kept between the passes.
 *
 * @param overBatch true for batch normalization, false for layer normalization
 * @param momentum weight of the old moving statistics (batch normalization only)
 * @param trainable false for a layer declared frozen: non-trainable gamma and beta, and batch
 *     normalization always in inference mode
 */
public record NormalizationLayer(
    String name, Site site, List<String> inputs, boolean overBatch, double momentum, double epsilon,
    boolean center, boolean scale, boolean trainable) implements LayerSpec {
  @Override
  public StepRule stepRule() {
    return StepRule.PER_POSITION; // at inference batch norm is an affine map per feature; layer norm is per position
  }

  public NormalizationLayer {
    inputs = List.copyOf(inputs);
  }

  static NormalizationLayer readBatchNorm(LayerDeclaration d) {
    BatchNorm b = d.annotation(BatchNorm.class);
    return new NormalizationLayer(d.name(), d.site(), d.inputs(), true, b.momentum(), b.epsilon(), b.center(),
        b.scale(), b.trainable());
  }

  static NormalizationLayer readLayerNorm(LayerDeclaration d) {
    LayerNorm l = d.annotation(LayerNorm.class);
    return new NormalizationLayer(d.name(), d.site(), d.inputs(), false, Double.NaN, l.epsilon(), l.center(),
        l.scale(), l.trainable());
  }

  @Override
  public String typeName() {
    return overBatch ? "BatchNormalization" : "LayerNormalization";
  }

  private String annotation() {
    return overBatch ? "BatchNorm" : "LayerNorm";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    if (overBatch) {
      FloatRule.UNIT.check(diagnostics, site, "momentum", "@BatchNorm momentum", momentum, Message.NORM_MOMENTUM,
          momentum);
    }
    FloatRule.POSITIVE.check(diagnostics, site, "epsilon", "@" + annotation() + " epsilon", epsilon,
        Message.NORM_EPSILON, annotation(), epsilon);
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    // Batch norm keeps 4 values per feature (mean, 1/std, two column sums) in one array.
    if (overBatch && 4L * in.get(0).last() > Shape.MAX_VALUES) {
      diagnostics.error(site, null, Message.SIZE_LIMIT, name + "()", "its statistics, 4 per feature,",
          4L * in.get(0).last());
      return null;
    }
    return in.get(0);
  }

  @Override
  public List<Parameter> parameters(List<Shape> in) {
    Shape features = Shape.of(in.get(0).last());
    List<Parameter> tensors = new ArrayList<>();
    if (scale) {
      tensors.add(Parameter.plain("weight", features, trainable, Initializer.ONES, 0));
    }
    if (center) {
      tensors.add(Parameter.plain("bias", features, trainable, Initializer.ZEROS, 0));
    }
    if (overBatch) {
      tensors.add(Parameter.plain("running_mean", features, false, Initializer.ZEROS, 0));
      tensors.add(Parameter.plain("running_var", features, false, Initializer.ONES, 0));
    }
    return tensors;
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      @Override
      public List<Buffer> buffers(LayerContext layer) {
        List<Buffer> buffers = new ArrayList<>(LayerEmitter.super.buffers(layer));
        buffers.add(Buffer.perSample(layer.member("Normalized"), layer.width()));
        // Batch norm: mean, 1/std and two column sums per feature; layer norm: 1/std per row.
        buffers.add(overBatch ? Buffer.fixed(layer.member("Stats"), "4 * " + layer.features())
            : Buffer.perSample(layer.member("Stats"), layer.positions()));
        return buffers;
      }

      @Override
      public CodeBlock forward(LayerContext layer) {
        String normalized = layer.member("Normalized");
        String stats = layer.member("Stats");
        if (!overBatch) {
          return CodeBlock.of("$T.layerNorm($L, $L, $L, params, $L, $L, $Lf, $L, $L, $L);\n",
              RuntimeNames.NORMALIZATION, layer.rows(), layer.features(), layer.in(0), gamma(layer), beta(layer),
              (float) epsilon, normalized, stats, layer.out());
        }
        CodeBlock inference = CodeBlock.of("$T.batchNormInference($L, $L, $L, params, $L, $L, $L, $L, $Lf, $L, $L);\n",
            RuntimeNames.NORMALIZATION, layer.rows(), layer.features(), layer.in(0), gamma(layer), beta(layer),
            layer.offset("running_mean"), layer.offset("running_var"), (float) epsilon, stats, layer.out());
        if (!trainable) {
          return CodeBlock.builder()
              .add("// Frozen (trainable = false): always inference mode, the moving statistics do not move.\n")
              .add(inference)
              .build();
        }
        // A layer frozen at run time also runs in inference mode (Keras's rule).
        return CodeBlock.builder()
            .beginControlFlow("if (training && !frozen[$L])", layer.layerIndex())
            .addStatement("$T.batchNormTraining($L, $L, $L, params, $L, $L, $L, $L, $Lf, $Lf, $L, $L, $L)",
                RuntimeNames.NORMALIZATION, layer.rows(), layer.features(), layer.in(0), gamma(layer), beta(layer),
                "updateStatistics ? " + layer.offset("running_mean") + " : -1", layer.offset("running_var"),
                (float) momentum, (float) epsilon, normalized, stats, layer.out())
            .nextControlFlow("else")
            .add(inference)
            .endControlFlow()
            .build();
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        // One kernel writes gamma's and beta's gradients (when asked for) and the input gradient.
        String method = overBatch ? "batchNormBackward" : "layerNormBackward";
        CodeBlock trained = CodeBlock.of("$T.$L($L, $L, $L, $L, $L, params, $L, grads, $L, $L, $L);\n",
            RuntimeNames.NORMALIZATION, method, layer.rows(), layer.features(), layer.grad(),
            layer.member("Normalized"), layer.member("Stats"), gamma(layer),
            gradientOffset(layer, scale && trainable, "weight"), gradientOffset(layer, center && trainable, "bias"),
            layer.inputGradientArgument(0));
        if (!overBatch) {
          return CodeBlock.builder().add(trained).add(layer.afterInputGradient(0)).build();
        }
        // A frozen batch norm ran in inference mode: an affine map per feature, no parameter gradients.
        CodeBlock frozen = CodeBlock.of("$T.batchNormFrozenBackward($L, $L, $L, $L, params, $L, $L);\n",
            RuntimeNames.NORMALIZATION, layer.rows(), layer.features(), layer.grad(), layer.member("Stats"),
            gamma(layer), layer.inputGradientArgument(0));
        CodeBlock.Builder code = CodeBlock.builder();
        if (trainable) {
          code.beginControlFlow("if (frozen[$L])", layer.layerIndex()).add(frozen).nextControlFlow("else")
              .add(trained).endControlFlow();
        } else {
          code.add(frozen);
        }
        return code.add(layer.afterInputGradient(0)).build();
      }
    };
  }

  /** gamma's offset constant, or -1 without scale. */
  private String gamma(LayerContext layer) {
    return scale ? layer.offset("weight") : "-1";
  }

  /** beta's offset constant, or -1 without center. */
  private String beta(LayerContext layer) {
    return center ? layer.offset("bias") : "-1";
  }

  /** Where the kernel writes a parameter's gradient: -1 when it has none or none is asked for. */
  private static String gradientOffset(LayerContext layer, boolean present, String suffix) {
    return present ? "parameterGradients ? " + layer.offset(suffix) + " : -1" : "-1";
  }
}
