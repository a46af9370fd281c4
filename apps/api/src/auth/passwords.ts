import { Injectable } from '@nestjs/common';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './secrets.js';

/**
 * Password hashing (scrypt, ~50 ms of CPU each: the cost sign-up and login limits protect), as a
 * provider: the one place that spends it, and where tests count it.
 */
@Injectable()
export class Passwords {
  hash(password: string): Promise<string> {
    return hashPassword(password);
  }

  /** Checks `password` against `stored`, or against a dummy hash when there is none (same time). */
  verify(password: string, stored: string | undefined): Promise<boolean> {
    return verifyPassword(password, stored ?? DUMMY_PASSWORD_HASH);
  }
}
