import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'tributary:public';

/** Marks a resolver that needs no token (sign-up, login). Everything else is guarded. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
