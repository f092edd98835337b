/**
 * The house's walls: no cycle between the folders (rooms) of gpu/src and api/src.
 * dependency-cruiser derives folder dependencies (a folder's own files and those of its
 * subfolders); an edge that leaves a room and lies on a folder cycle fails the check. Cycles among
 * the subfolders of one room (GraphQL domains that name each other's types) stay allowed.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'This room imports, directly or through others, a room that imports it.',
      scope: 'folder',
      from: { path: '^((?:gpu|api)/src/[^/]+)' },
      to: { circular: true, pathNot: '^$1(/|$)' },
    },
  ],
  options: {
    // Prisma's generated client is a room's file like any other, only not worth reading through.
    doNotFollow: { path: ['node_modules', '^api/src/db/generated/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
