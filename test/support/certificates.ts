import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** PEM files made with the openssl CLI (Node's crypto cannot sign X.509 certificates). */
export interface CertFiles {
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A private CA in `dir` (ca.pem, ca-key.pem) that signs server and client certificates. */
export class TestCa {
  readonly cert: string;
  private readonly key: string;
  private serial = 1;

  constructor(readonly dir: string) {
    this.cert = path.join(dir, 'ca.pem');
    this.key = path.join(dir, 'ca-key.pem');
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=tributary-test-ca',
        '-keyout',
        this.key,
        '-out',
        this.cert,
      ],
      dir,
    );
  }

  /** A certificate for `cn` signed by this CA, into `<name>.pem` and `<name>-key.pem`; server certificates carry 127.0.0.1 and localhost. */
  issue(name: string, cn: string, kind: 'server' | 'client', serial = this.serial++): CertFiles {
    const key = path.join(this.dir, `${name}-key.pem`);
    const csr = path.join(this.dir, `${name}.csr`);
    const cert = path.join(this.dir, `${name}.pem`);
    const ext = path.join(this.dir, `${name}.ext`);
    fs.writeFileSync(
      ext,
      kind === 'server' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' : 'extendedKeyUsage=clientAuth\n',
    );
    openssl(
      ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}/O=Tributary Tests`, '-keyout', key, '-out', csr],
      this.dir,
    );
    openssl(
      ['x509', '-req', '-in', csr, '-CA', this.cert, '-CAkey', this.key, '-set_serial', String(serial), '-days', '2', '-extfile', ext, '-out', cert],
      this.dir,
    );
    return { cert, key };
  }
}
