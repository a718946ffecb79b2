package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Batch normalization with Keras's conventions: in training, each feature is normalized with the
 * batch's mean and (biased) variance and the moving statistics are updated as
 * {@code moving = momentum * moving + (1 - momentum) * batch}; at inference the moving statistics
 * are used. gamma and beta are trainable; the moving mean and variance are not (4 numbers per
 * feature in all, as Keras counts them). Saved under PyTorch's names: weight, bias, running_mean,
 * running_var.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface BatchNorm {
  /**
   * {@return the weight of the old moving statistics, in [0, 1)} Keras's default 0.99 (PyTorch's
   * momentum 0.01).
   */
  double momentum() default 0.99;

  /** {@return the epsilon added to the variance, > 0} Keras's default 1e-3 (PyTorch's is 1e-5). */
  double epsilon() default 1e-3;

  /** {@return whether to learn an offset beta} */
  boolean center() default true;

  /** {@return whether to learn a scale gamma} */
  boolean scale() default true;

  /**
   * {@return whether the layer trains} False freezes it from the start (transfer learning): gamma
   * and beta are laid out with the non-trainable parameters and never updated, and the layer always
   * runs in inference mode, normalizing with its moving statistics, which do not move (Keras's
   * rule for a frozen BatchNormalization). A layer frozen at run time ({@code setTrainable(false)})
   * behaves the same.
   */
  boolean trainable() default true;
}
